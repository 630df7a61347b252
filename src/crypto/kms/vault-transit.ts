/**
 * MASTER_KEY_PROVIDER=vault-transit: Vault's Transit engine encrypts and decrypts; the key stays
 * in Vault. POST /v1/<mount>/encrypt/<key> and /decrypt/<key>, X-Vault-Token auth.
 *
 * The context is sealed inside the plaintext (sealed-context.ts) rather than sent as Transit's
 * `context`: that parameter only works for keys created with `derived=true`, and a key created
 * without it would silently ignore the binding. This way any Transit key type works and the
 * binding is always checked.
 *
 * Stored bytes: Vault's ciphertext string (`vault:v<N>:…`) as UTF-8; the version in it lets Vault
 * decrypt keys wrapped before a `keys/<key>/rotate`, and `rewrap` moves them to the newest.
 */
import { z } from 'zod';
import { DecryptionError } from '../aead.js';
import { KmsUnavailableError, type KeyWrapper } from './key-wrapper.js';
import { openContext, sealContext } from './sealed-context.js';

export type VaultTransitOptions = {
  address: string;
  token: string;
  namespace?: string | undefined;
  mount: string;
  key: string;
  timeoutMs?: number;
};

const PROVIDER = 'vault-transit';
const ID_PREFIX = `${PROVIDER}:`;
const CIPHERTEXT = /^vault:v\d+:[A-Za-z0-9+/=]+$/;
const encryptResponse = z.object({ data: z.object({ ciphertext: z.string().regex(CIPHERTEXT) }) });
const decryptResponse = z.object({ data: z.object({ plaintext: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/) }) });

export function vaultTransitId(key: string): string {
  return `${ID_PREFIX}${key}`;
}

/** The Transit key name of a stored `vault-transit:<key>` id, or undefined for another provider's id. */
export function vaultTransitKeyOf(id: string): string | undefined {
  return id.startsWith(ID_PREFIX) && id.length > ID_PREFIX.length ? id.slice(ID_PREFIX.length) : undefined;
}

/** Why a status failed, in words that help an operator and quote nothing from the response. */
function describeStatus(status: number): string {
  if (status === 403) return 'HTTP 403 permission denied (check VAULT_TOKEN and its policy on this transit key)';
  if (status === 404) return 'HTTP 404 (check MASTER_KEY_VAULT_MOUNT and MASTER_KEY_VAULT_KEY)';
  if (status === 503) return 'HTTP 503 (Vault is sealed or in standby)';
  return `HTTP ${status}`;
}

export function createVaultTransitWrapper(options: VaultTransitOptions): KeyWrapper {
  const base = `${options.address.replace(/\/+$/, '')}/v1/${encodeURIComponent(options.mount)}`;
  const keyPath = encodeURIComponent(options.key);

  async function call(operation: 'encrypt' | 'decrypt' | 'rewrap', body: Record<string, string>): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${base}/${operation}/${keyPath}`, {
        method: 'POST',
        headers: {
          'X-Vault-Token': options.token,
          'Content-Type': 'application/json',
          ...(options.namespace ? { 'X-Vault-Namespace': options.namespace } : {}),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      const reason = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'could not connect';
      throw new KmsUnavailableError(PROVIDER, operation, `${reason} to ${options.address}`);
    }
    // A decrypt Vault refuses as malformed or failing authentication is a bad ciphertext, not an outage.
    if (operation === 'decrypt' && response.status === 400) {
      await response.body?.cancel();
      throw new DecryptionError();
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new KmsUnavailableError(PROVIDER, operation, describeStatus(response.status));
    }
    return response.json().catch(() => {
      throw new KmsUnavailableError(PROVIDER, operation, 'the response was not JSON');
    });
  }

  async function encryptEnvelope(envelope: Buffer): Promise<Buffer> {
    try {
      const parsed = encryptResponse.safeParse(await call('encrypt', { plaintext: envelope.toString('base64') }));
      if (!parsed.success) throw new KmsUnavailableError(PROVIDER, 'encrypt', 'unexpected response shape');
      return Buffer.from(parsed.data.data.ciphertext, 'utf8');
    } finally {
      envelope.fill(0);
    }
  }

  return {
    id: vaultTransitId(options.key),
    wrap: (plaintext, context) => encryptEnvelope(sealContext(plaintext, context)),
    async unwrap(wrapped, context) {
      const ciphertext = wrapped.toString('utf8');
      if (!CIPHERTEXT.test(ciphertext)) throw new DecryptionError();
      const parsed = decryptResponse.safeParse(await call('decrypt', { ciphertext }));
      if (!parsed.success) throw new KmsUnavailableError(PROVIDER, 'decrypt', 'unexpected response shape');
      const envelope = Buffer.from(parsed.data.data.plaintext, 'base64');
      try {
        return openContext(envelope, context);
      } finally {
        envelope.fill(0);
      }
    },
    // Transit's own rewrap: the plaintext (and the sealed context with it) never leaves Vault.
    async rewrap(wrapped) {
      const ciphertext = wrapped.toString('utf8');
      if (!CIPHERTEXT.test(ciphertext)) throw new DecryptionError();
      const parsed = encryptResponse.safeParse(await call('rewrap', { ciphertext }));
      if (!parsed.success) throw new KmsUnavailableError(PROVIDER, 'rewrap', 'unexpected response shape');
      return Buffer.from(parsed.data.data.ciphertext, 'utf8');
    },
  };
}
