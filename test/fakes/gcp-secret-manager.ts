/**
 * A fake Google Secret Manager (`AccessSecretVersion` over REST) answering as the real API does:
 * `GET /v1/projects/P/secrets/S/versions/V:access` with `Authorization: Bearer <token>`; the payload
 * comes back base64-encoded in `payload.data` with its CRC32C; `latest` is the newest version;
 * errors are `{ error: { code, message, status } }` (401 UNAUTHENTICATED, 403 PERMISSION_DENIED,
 * 404 NOT_FOUND). Secrets can gain versions while the fake runs.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type GcpRequest = { method: string; path: string; authorization: string | undefined };

export type FakeSecretManager = {
  url: string;
  requests: GcpRequest[];
  /** Adds a version (1, 2, …) to `projects/P/secrets/S`. */
  addVersion(project: string, secret: string, value: string): number;
  close(): Promise<void>;
};

// CRC32C (Castagnoli), as Secret Manager reports it in `dataCrc32c`.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32c(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function error(res: ServerResponse, code: number, status: string, message: string): void {
  res.writeHead(code, { 'content-type': 'application/json; charset=UTF-8' }).end(JSON.stringify({ error: { code, message, status } }));
}

export async function startFakeSecretManager(options: { accessToken: string; projectNumber?: string }): Promise<FakeSecretManager> {
  const projectNumber = options.projectNumber ?? '123456789012';
  const secrets = new Map<string, string[]>();
  const requests: GcpRequest[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://gcp');
    requests.push({ method: req.method ?? 'GET', path: url.pathname, authorization: req.headers.authorization });
    req.resume();
    const match = /^\/v1\/projects\/([^/]+)\/secrets\/([^/]+)\/versions\/([^/:]+):access$/.exec(url.pathname);
    if (!match || req.method !== 'GET') return error(res, 404, 'NOT_FOUND', 'The requested URL was not found on this server.');
    if (!req.headers.authorization?.startsWith('Bearer '))
      return error(res, 401, 'UNAUTHENTICATED', 'Request is missing required authentication credential. Expected OAuth 2 access token.');
    if (req.headers.authorization !== `Bearer ${options.accessToken}`)
      return error(res, 401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token.');
    const [, project, secret, version] = match;
    const versions = secrets.get(`${project}/${secret}`);
    const index = version === 'latest' ? (versions?.length ?? 0) : Number(version);
    const value = versions?.[index - 1];
    if (value === undefined)
      return error(res, 404, 'NOT_FOUND', `Secret [projects/${projectNumber}/secrets/${secret}] not found or has no versions.`);
    const data = Buffer.from(value, 'utf8');
    res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' }).end(
      JSON.stringify({
        name: `projects/${projectNumber}/secrets/${secret}/versions/${index}`,
        payload: { data: data.toString('base64'), dataCrc32c: String(crc32c(data)) },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    addVersion(project, secret, value) {
      const key = `${project}/${secret}`;
      const versions = secrets.get(key) ?? [];
      versions.push(value);
      secrets.set(key, versions);
      return versions.length;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
