/**
 * A fake HashiCorp Vault Transit engine on loopback: checks what real Vault checks (the
 * X-Vault-Token header, the mount and key path, base64 plaintext, a well-formed `vault:v<N>:`
 * ciphertext) and does real AES-256-GCM with one key per version, so rotation (`keys/<key>/rotate`)
 * and rewrap behave as Vault's do. Counts calls per operation so tests can see the cache work.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeVaultTransit = {
  url: string;
  token: string;
  mount: string;
  calls: Record<'encrypt' | 'decrypt' | 'rewrap' | 'rotate', number>;
  /** Every X-Vault-Token seen, to prove the token is sent (and nothing else gets it). */
  rejected: number;
  createKey(name: string): void;
  latestVersion(name: string): number;
  /** Answers 503 to everything while true (Vault sealed). */
  unavailable: boolean;
  close(): Promise<void>;
};

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const CIPHERTEXT = /^vault:v(\d+):([A-Za-z0-9+/]+={0,2})$/;

function seal(key: Buffer, plaintext: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
}

function open(key: Buffer, packed: Buffer): Buffer | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, packed.subarray(0, 12));
    decipher.setAuthTag(packed.subarray(packed.length - 16));
    return Buffer.concat([decipher.update(packed.subarray(12, packed.length - 16)), decipher.final()]);
  } catch {
    return undefined;
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export async function startFakeVaultTransit(options: { token?: string; mount?: string } = {}): Promise<FakeVaultTransit> {
  const token = options.token ?? `hvs.${randomBytes(18).toString('base64url')}`;
  const mount = options.mount ?? 'transit';
  const keys = new Map<string, Buffer[]>();
  const state = { rejected: 0, unavailable: false };
  const calls = { encrypt: 0, decrypt: 0, rewrap: 0, rotate: 0 };

  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, status: number, message: string) => reply(res, status, { errors: [message] });

  const encryptLatest = (versions: Buffer[], plaintext: Buffer) => `vault:v${versions.length}:${seal(versions.at(-1)!, plaintext)}`;
  const decryptAny = (versions: Buffer[], ciphertext: unknown): Buffer | undefined => {
    const match = typeof ciphertext === 'string' ? CIPHERTEXT.exec(ciphertext) : null;
    const key = match ? versions[Number(match[1]) - 1] : undefined;
    return match && key ? open(key, Buffer.from(match[2]!, 'base64')) : undefined;
  };

  const server = createServer((req, res) => {
    void (async () => {
      if (state.unavailable) return fail(res, 503, 'Vault is sealed');
      if (req.headers['x-vault-token'] !== token) {
        state.rejected += 1;
        return fail(res, 403, 'permission denied');
      }
      const match = /^\/v1\/([^/]+)\/(encrypt|decrypt|rewrap|keys)\/([^/]+)(\/rotate)?$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !match || match[1] !== mount) return fail(res, 404, 'no handler for route');
      const [, , operation, name, rotate] = match as unknown as [string, string, string, string, string | undefined];
      const versions = keys.get(decodeURIComponent(name));
      if (!versions) return fail(res, 400, 'encryption key not found');
      const body = await readJson(req);
      if (!body) return fail(res, 400, 'failed to parse JSON input');
      if (body.context !== undefined && (typeof body.context !== 'string' || !BASE64.test(body.context)))
        return fail(res, 400, 'failed to base64-decode context');
      if (operation === 'keys') {
        if (!rotate) return fail(res, 404, 'no handler for route');
        calls.rotate += 1;
        versions.push(randomBytes(32));
        return reply(res, 200, { data: { latest_version: versions.length } });
      }
      calls[operation as 'encrypt' | 'decrypt' | 'rewrap'] += 1;
      if (operation === 'encrypt') {
        if (typeof body.plaintext !== 'string' || !BASE64.test(body.plaintext)) return fail(res, 400, 'failed to base64-decode plaintext');
        return reply(res, 200, {
          data: { ciphertext: encryptLatest(versions, Buffer.from(body.plaintext, 'base64')), key_version: versions.length },
        });
      }
      const plaintext = decryptAny(versions, body.ciphertext);
      if (!plaintext) return fail(res, 400, 'cipher: message authentication failed');
      if (operation === 'decrypt') return reply(res, 200, { data: { plaintext: plaintext.toString('base64') } });
      return reply(res, 200, { data: { ciphertext: encryptLatest(versions, plaintext), key_version: versions.length } });
    })().catch(() => fail(res, 500, 'internal error'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    mount,
    calls,
    get rejected() {
      return state.rejected;
    },
    get unavailable() {
      return state.unavailable;
    },
    set unavailable(value: boolean) {
      state.unavailable = value;
    },
    createKey(name) {
      keys.set(name, [randomBytes(32)]);
    },
    latestVersion: (name) => keys.get(name)?.length ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
