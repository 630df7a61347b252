/**
 * A fake Azure Key Vault plus a fake Microsoft Entra (AAD) token endpoint on one HTTPS server, for
 * offline tests of the official clients (@azure/keyvault-secrets with @azure/identity). HTTPS is not
 * optional: the Azure SDK refuses to send a bearer token over plain HTTP, as the real services
 * would. The certificate is made at test time (`makeTestCertificate`) and trusted by the client
 * process through NODE_EXTRA_CA_CERTS.
 *
 * It answers as the real services do:
 * - Entra: `GET /<tenant>/v2.0/.well-known/openid-configuration`, and
 *   `POST /<tenant>/oauth2/v2.0/token` (form-encoded client-credentials grant; a wrong client secret
 *   is a 401 `invalid_client`);
 * - Key Vault: `GET /<vault>/secrets/<name>[/<version>]?api-version=…`. A request without a token
 *   gets 401 with the `WWW-Authenticate: Bearer authorization="…/<tenant>", resource="…"` challenge
 *   the client uses to ask for a token; an unknown token is a 401 too; a missing secret is a 404
 *   `SecretNotFound`. The vault name is the first path segment (the vault URL template is
 *   `https://127.0.0.1:<port>/{vault}`), because `<vault>.localhost` does not resolve everywhere.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export type TestCertificate = { certFile: string; keyFile: string; cert: string; key: string };

/** A self-signed certificate for localhost and 127.0.0.1, valid one day, written into `dir`. */
export function makeTestCertificate(dir: string): TestCertificate {
  const certFile = join(dir, 'test-cert.pem');
  const keyFile = join(dir, 'test-key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

export type AzureRequest = { method: string; path: string; authorization: string | undefined };

export type FakeAzureKeyVault = {
  /** Authority host and vault base: `https://127.0.0.1:<port>`. */
  url: string;
  requests: AzureRequest[];
  /** Sets (or rotates: a new version) a secret in a vault; returns the version id. */
  setSecret(vault: string, name: string, value: string): string;
  close(): Promise<void>;
};

export type FakeAzureOptions = { certificate: TestCertificate; tenantId: string; clientId: string; clientSecret: string };

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
}

export async function startFakeAzureKeyVault(options: FakeAzureOptions): Promise<FakeAzureKeyVault> {
  const tokens = new Set<string>();
  const secrets = new Map<string, { version: string; value: string }[]>();
  const requests: AzureRequest[] = [];
  let base = '';

  const server = createServer({ cert: options.certificate.cert, key: options.certificate.key }, (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', base);
      requests.push({ method: req.method ?? 'GET', path: url.pathname, authorization: req.headers.authorization });
      const body = await readBody(req);
      const tenant = options.tenantId;

      if (req.method === 'GET' && url.pathname === `/${tenant}/v2.0/.well-known/openid-configuration`) {
        return json(res, 200, {
          issuer: `${base}/${tenant}/v2.0`,
          authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
          token_endpoint: `${base}/${tenant}/oauth2/v2.0/token`,
          end_session_endpoint: `${base}/${tenant}/oauth2/v2.0/logout`,
          jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
          response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
          token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        });
      }
      if (req.method === 'POST' && url.pathname === `/${tenant}/oauth2/v2.0/token`) {
        const form = new URLSearchParams(body);
        if (form.get('grant_type') !== 'client_credentials') return json(res, 400, { error: 'unsupported_grant_type' });
        if (form.get('client_id') !== options.clientId || form.get('client_secret') !== options.clientSecret)
          return json(res, 401, {
            error: 'invalid_client',
            error_description: 'AADSTS7000215: Invalid client secret provided.',
            error_codes: [7000215],
            trace_id: randomUUID(),
            correlation_id: randomUUID(),
          });
        if (form.get('scope') !== 'https://vault.azure.net/.default') return json(res, 400, { error: 'invalid_scope' });
        const token = `eyJ0eXAiOiJKV1QifQ.${randomBytes(24).toString('base64url')}.sig`;
        tokens.add(token);
        return json(res, 200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token });
      }

      const read = /^\/([A-Za-z0-9-]+)\/secrets\/([A-Za-z0-9-]+)(?:\/([A-Za-z0-9]*))?$/.exec(url.pathname);
      if (!read || req.method !== 'GET') return json(res, 404, { error: { code: 'NotFound', message: 'Not found' } });
      if (!url.searchParams.get('api-version'))
        return json(res, 400, { error: { code: 'BadParameter', message: 'api-version is required' } });
      const bearer = req.headers.authorization?.replace(/^Bearer /, '');
      if (!bearer || !tokens.has(bearer))
        return json(
          res,
          401,
          { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } },
          {
            'www-authenticate': `Bearer authorization="${base}/${tenant}", resource="https://vault.azure.net"`,
          },
        );
      const [, vault, name, version] = read;
      const versions = secrets.get(`${vault}/${name}`) ?? [];
      const found = version ? versions.find((v) => v.version === version) : versions.at(-1);
      if (!found)
        return json(res, 404, {
          error: { code: 'SecretNotFound', message: `A secret with (name/id) ${name} was not found in this key vault.` },
        });
      const created = Math.floor(Date.now() / 1000);
      return json(res, 200, {
        value: found.value,
        // The vault's canonical URL, as a real vault reached through a private endpoint returns it.
        id: `https://${vault}.vault.azure.net/secrets/${name}/${found.version}`,
        attributes: { enabled: true, created, updated: created, recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90 },
        tags: {},
      });
    })().catch(() => json(res, 500, { error: { code: 'InternalError', message: 'internal error' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `https://127.0.0.1:${port}`;
  return {
    url: base,
    requests,
    setSecret(vault, name, value) {
      const version = randomBytes(16).toString('hex');
      const key = `${vault}/${name}`;
      secrets.set(key, [...(secrets.get(key) ?? []), { version, value }]);
      return version;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
