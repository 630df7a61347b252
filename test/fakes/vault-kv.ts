/**
 * A fake HashiCorp Vault for offline tests: the KV version 2 read (`GET /v1/<mount>/data/<path>`)
 * and Kubernetes auth login (`POST /v1/auth/<mount>/login`), answering as Vault does:
 * - the token travels in `X-Vault-Token`; a missing or unknown token is a 403 "permission denied"
 *   (Vault does not use 401);
 * - a path that holds no secret is a 404 with `{"errors":[]}`; a mount that is not KV v2 has no
 *   `/data/` route (404 "no handler for route");
 * - a KV v2 read returns the secret under `data.data` with `data.metadata`;
 * - Kubernetes login takes `{ role, jwt }` and returns `auth.client_token` with a lease; an unknown
 *   role is a 400, a JWT the role does not accept a 403.
 * Secrets can be rotated (`setSecret`) and tokens revoked (`revokeTokens`) while the fake runs.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type VaultRequest = { method: string; path: string; token: string | undefined; namespace: string | undefined };

export type FakeVault = {
  url: string;
  requests: VaultRequest[];
  /** Sets (or rotates) the secret at `mount/path`, creating a new version. */
  setSecret(mount: string, path: string, data: Record<string, unknown>): void;
  /** A token that reads every secret (token auth). */
  addToken(token: string): void;
  /** Revokes every token, including those issued by Kubernetes login. */
  revokeTokens(): void;
  close(): Promise<void>;
};

export type FakeVaultOptions = {
  mounts?: string[];
  kubernetes?: { mount?: string; role: string; jwt: string; leaseSeconds?: number };
};

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export async function startFakeVault(options: FakeVaultOptions = {}): Promise<FakeVault> {
  const mounts = new Set(options.mounts ?? ['secret']);
  const secrets = new Map<string, { version: number; data: Record<string, unknown> }>();
  const tokens = new Set<string>();
  const requests: VaultRequest[] = [];
  const k8s = options.kubernetes;

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://vault');
      const token = typeof req.headers['x-vault-token'] === 'string' ? req.headers['x-vault-token'] : undefined;
      const namespace = typeof req.headers['x-vault-namespace'] === 'string' ? req.headers['x-vault-namespace'] : undefined;
      requests.push({ method: req.method ?? 'GET', path: url.pathname, token, namespace });
      const body = await readBody(req);

      const login = /^\/v1\/auth\/(.+)\/login$/.exec(url.pathname);
      if (login && req.method === 'POST') {
        if (!k8s || login[1] !== (k8s.mount ?? 'kubernetes')) return reply(res, 404, { errors: ['no handler for route'] });
        let parsed: { role?: unknown; jwt?: unknown };
        try {
          parsed = JSON.parse(body) as { role?: unknown; jwt?: unknown };
        } catch {
          return reply(res, 400, { errors: ['failed to parse JSON input'] });
        }
        if (parsed.role !== k8s.role) return reply(res, 400, { errors: [`invalid role name "${String(parsed.role)}"`] });
        if (parsed.jwt !== k8s.jwt) return reply(res, 403, { errors: ['permission denied'] });
        const issued = `hvs.${randomBytes(18).toString('base64url')}`;
        tokens.add(issued);
        return reply(res, 200, {
          request_id: randomBytes(8).toString('hex'),
          auth: {
            client_token: issued,
            accessor: randomBytes(8).toString('hex'),
            policies: ['default'],
            lease_duration: k8s.leaseSeconds ?? 3600,
            renewable: true,
          },
        });
      }

      const read = /^\/v1\/([^/]+)\/data\/(.+)$/.exec(url.pathname);
      if (!read || req.method !== 'GET' || !mounts.has(decodeURIComponent(read[1]!)))
        return reply(res, 404, { errors: ['no handler for route'] });
      if (!token || !tokens.has(token)) return reply(res, 403, { errors: ['permission denied'] });
      const key = `${decodeURIComponent(read[1]!)}/${read[2]!.split('/').map(decodeURIComponent).join('/')}`;
      const secret = secrets.get(key);
      if (!secret) return reply(res, 404, { errors: [] });
      return reply(res, 200, {
        request_id: randomBytes(8).toString('hex'),
        lease_id: '',
        renewable: false,
        lease_duration: 0,
        data: {
          data: secret.data,
          metadata: {
            created_time: new Date().toISOString(),
            custom_metadata: null,
            deletion_time: '',
            destroyed: false,
            version: secret.version,
          },
        },
        wrap_info: null,
        warnings: null,
        auth: null,
      });
    })().catch(() => reply(res, 500, { errors: ['internal error'] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setSecret(mount, path, data) {
      const key = `${mount}/${path}`;
      secrets.set(key, { version: (secrets.get(key)?.version ?? 0) + 1, data });
    },
    addToken: (token) => void tokens.add(token),
    revokeTokens: () => tokens.clear(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
