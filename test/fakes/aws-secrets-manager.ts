/**
 * A fake AWS Secrets Manager (`GetSecretValue` only) speaking the AWS JSON 1.1 protocol as the real
 * service does: `POST /` with `X-Amz-Target: secretsmanager.GetSecretValue`, a JSON body, and a
 * Signature Version 4 `Authorization` header whose credential scope names a known access key, the
 * request's date and region, and the `secretsmanager` service. Errors come back as HTTP 400 with
 * `__type` (and `x-amzn-ErrorType`): ResourceNotFoundException, UnrecognizedClientException,
 * IncompleteSignatureException, ... Secrets are found by name or by ARN and can be rotated while
 * the fake runs.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type AwsRequest = { target: string | undefined; accessKeyId: string | undefined; region: string | undefined; body: unknown };

export type FakeSecretsManager = {
  url: string;
  requests: AwsRequest[];
  /** Sets (or rotates) a secret; returns its ARN. */
  setSecret(name: string, value: string): string;
  close(): Promise<void>;
};

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function error(res: ServerResponse, type: string, message: string): void {
  res
    .writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type, 'x-amzn-requestid': randomUUID() })
    .end(JSON.stringify({ __type: type, message }));
}

export async function startFakeSecretsManager(options: {
  accessKeyId: string;
  region: string;
  account?: string;
}): Promise<FakeSecretsManager> {
  const account = options.account ?? '123456789012';
  const secrets = new Map<string, { arn: string; value: string; versionId: string; created: number }>();
  const requests: AwsRequest[] = [];

  const server = createServer((req, res) => {
    void (async () => {
      const text = await readBody(req);
      const target = typeof req.headers['x-amz-target'] === 'string' ? req.headers['x-amz-target'] : undefined;
      const auth = AUTHORIZATION.exec(req.headers.authorization ?? '');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      requests.push({ target, accessKeyId: auth?.[1], region: auth?.[3], body });
      if (req.method !== 'POST' || req.url !== '/') return error(res, 'UnknownOperationException', 'Unknown operation');
      if (!auth)
        return error(res, 'IncompleteSignatureException', 'Authorization header requires a SigV4 Credential, SignedHeaders and Signature.');
      const [, accessKeyId, date, region, service, signedHeaders] = auth;
      const amzDate = req.headers['x-amz-date'];
      const signed = signedHeaders!.split(';');
      if (
        typeof amzDate !== 'string' ||
        !amzDate.startsWith(date!) ||
        !signed.includes('host') ||
        !signed.includes('x-amz-date') ||
        !signed.includes('x-amz-target')
      )
        return error(res, 'IncompleteSignatureException', 'The request signature does not cover host, x-amz-date and x-amz-target.');
      if (accessKeyId !== options.accessKeyId)
        return error(res, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
      if (service !== 'secretsmanager' || region !== options.region)
        return error(res, 'InvalidSignatureException', 'Credential should be scoped to a valid region and the secretsmanager service.');
      if (target !== 'secretsmanager.GetSecretValue') return error(res, 'UnknownOperationException', 'Unknown operation');
      if (!/^application\/x-amz-json-1\.1/.test(req.headers['content-type'] ?? ''))
        return error(res, 'SerializationException', 'Expected application/x-amz-json-1.1');
      const secretId = (body as { SecretId?: unknown } | undefined)?.SecretId;
      if (typeof secretId !== 'string') return error(res, 'ValidationException', '1 validation error detected: SecretId must not be null');
      const found = [...secrets.entries()].find(([name, s]) => name === secretId || s.arn === secretId);
      if (!found) return error(res, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
      const [name, secret] = found;
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() }).end(
        JSON.stringify({
          ARN: secret.arn,
          Name: name,
          VersionId: secret.versionId,
          SecretString: secret.value,
          VersionStages: ['AWSCURRENT'],
          CreatedDate: secret.created / 1000,
        }),
      );
    })().catch(() => error(res, 'InternalServiceError', 'internal error'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setSecret(name, value) {
      const arn =
        secrets.get(name)?.arn ?? `arn:aws:secretsmanager:${options.region}:${account}:secret:${name}-${randomUUID().slice(0, 6)}`;
      secrets.set(name, { arn, value, versionId: randomUUID(), created: Date.now() });
      return arn;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
