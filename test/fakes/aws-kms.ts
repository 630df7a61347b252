/**
 * A fake AWS KMS on loopback for @aws-sdk/client-kms pointed at it (MASTER_KEY_AWS_KMS_ENDPOINT):
 * checks a SigV4 `Authorization: AWS4-HMAC-SHA256 Credential=<access key>/…/kms/aws4_request`
 * header, `X-Amz-Target: TrentService.<Operation>`, the JSON 1.1 content type, and that Decrypt
 * names the same EncryptionContext as Encrypt (else InvalidCiphertextException, as KMS answers).
 * Real AES-256-GCM; the blob names its key, as KMS's does. Counts calls per operation.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeAwsKms = {
  url: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  calls: Record<'Encrypt' | 'Decrypt' | 'ReEncrypt', number>;
  createKey(keyId: string): void;
  close(): Promise<void>;
};

type Json = Record<string, unknown>;

function contextAad(context: unknown): Buffer {
  const entries = context && typeof context === 'object' ? Object.entries(context as Record<string, unknown>) : [];
  return Buffer.from(JSON.stringify(entries.sort(([a], [b]) => (a < b ? -1 : 1))), 'utf8');
}

export async function startFakeAwsKms(): Promise<FakeAwsKms> {
  const accessKeyId = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
  const secretAccessKey = randomBytes(30).toString('base64');
  const region = 'eu-central-1';
  const keys = new Map<string, Buffer>();
  const calls = { Encrypt: 0, Decrypt: 0, ReEncrypt: 0 };

  const reply = (res: ServerResponse, status: number, body: Json) =>
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(body));
  const error = (res: ServerResponse, status: number, type: string, message: string) =>
    res
      .writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type })
      .end(JSON.stringify({ __type: type, message }));

  const encrypt = (keyId: string, plaintext: Buffer, context: unknown): string => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', keys.get(keyId)!, iv);
    cipher.setAAD(contextAad(context));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const id = Buffer.from(keyId, 'utf8');
    return Buffer.concat([Buffer.of(id.length), id, iv, body, cipher.getAuthTag()]).toString('base64');
  };
  const decrypt = (blob: unknown, context: unknown): { keyId: string; plaintext: Buffer } | undefined => {
    if (typeof blob !== 'string') return undefined;
    const packed = Buffer.from(blob, 'base64');
    const keyId = packed.subarray(1, 1 + (packed[0] ?? 0)).toString('utf8');
    const key = keys.get(keyId);
    if (!key) return undefined;
    const rest = packed.subarray(1 + packed[0]!);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, rest.subarray(0, 12));
      decipher.setAAD(contextAad(context));
      decipher.setAuthTag(rest.subarray(rest.length - 16));
      return { keyId, plaintext: Buffer.concat([decipher.update(rest.subarray(12, rest.length - 16)), decipher.final()]) };
    } catch {
      return undefined;
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const auth = req.headers.authorization ?? '';
      if (
        !new RegExp(
          `^AWS4-HMAC-SHA256 Credential=${accessKeyId}/\\d{8}/${region}/kms/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$`,
        ).test(auth)
      )
        return error(res, 400, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
      if (req.headers['content-type'] !== 'application/x-amz-json-1.1')
        return error(res, 400, 'SerializationException', 'bad content type');
      const target = /^TrentService\.(Encrypt|Decrypt|ReEncrypt)$/.exec(String(req.headers['x-amz-target'] ?? ''));
      if (!target) return error(res, 400, 'UnknownOperationException', 'unknown operation');
      let body: Json;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json;
      } catch {
        return error(res, 400, 'SerializationException', 'not JSON');
      }
      const operation = target[1] as 'Encrypt' | 'Decrypt' | 'ReEncrypt';
      calls[operation] += 1;
      if (operation === 'Encrypt') {
        const keyId = String(body.KeyId);
        if (!keys.has(keyId)) return error(res, 400, 'NotFoundException', `Key '${keyId}' does not exist`);
        if (typeof body.Plaintext !== 'string') return error(res, 400, 'ValidationException', 'Plaintext is required');
        return reply(res, 200, {
          CiphertextBlob: encrypt(keyId, Buffer.from(body.Plaintext, 'base64'), body.EncryptionContext),
          KeyId: keyId,
        });
      }
      const source = operation === 'Decrypt' ? body.EncryptionContext : body.SourceEncryptionContext;
      const opened = decrypt(body.CiphertextBlob, source);
      const pinned = operation === 'Decrypt' ? body.KeyId : body.SourceKeyId;
      if (!opened || (pinned !== undefined && pinned !== opened.keyId)) return error(res, 400, 'InvalidCiphertextException', '');
      if (operation === 'Decrypt') return reply(res, 200, { Plaintext: opened.plaintext.toString('base64'), KeyId: opened.keyId });
      const destination = String(body.DestinationKeyId);
      if (!keys.has(destination)) return error(res, 400, 'NotFoundException', `Key '${destination}' does not exist`);
      return reply(res, 200, {
        CiphertextBlob: encrypt(destination, opened.plaintext, body.DestinationEncryptionContext),
        KeyId: destination,
        SourceKeyId: opened.keyId,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    accessKeyId,
    secretAccessKey,
    region,
    calls,
    createKey: (keyId) => void keys.set(keyId, randomBytes(32)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
