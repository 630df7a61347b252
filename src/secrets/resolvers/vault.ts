/**
 * HashiCorp Vault KV version 2 over plain HTTP (the API is three calls; a client library would add
 * weight and nothing else). Token auth uses VAULT_TOKEN; Kubernetes auth logs in with the pod's
 * service-account token and keeps the Vault token until shortly before its lease ends.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { describeStatus, SafeReason } from '../errors.js';
import { fieldOf } from '../field.js';
import type { SecretManagerSettings, VaultKubernetesAuth } from '../settings.js';
import type { SchemeResolver } from './types.js';

const TIMEOUT_MS = 10_000;

const kvResponse = z.object({ data: z.object({ data: z.record(z.string(), z.unknown()).nullable() }) });
const loginResponse = z.object({ auth: z.object({ client_token: z.string().min(1), lease_duration: z.number().nonnegative() }) });

type CachedToken = { value: string; renewAfter: number };

export function createVaultResolver(settings: SecretManagerSettings['vault'], fetchImpl: typeof fetch = fetch): SchemeResolver<'vault'> {
  const addr = settings.addr;
  const k8s = settings.k8s;
  let cached: CachedToken | undefined;

  const headers = (token?: string): Record<string, string> => ({
    ...(token ? { 'x-vault-token': token } : {}),
    ...(settings.namespace ? { 'x-vault-namespace': settings.namespace } : {}),
  });

  async function kubernetesLogin(base: string, auth: VaultKubernetesAuth): Promise<CachedToken> {
    let jwt: string;
    try {
      // Re-read every time: the kubelet rotates projected service-account tokens.
      jwt = (await readFile(auth.tokenFile, 'utf8')).trim();
    } catch (error) {
      throw new SafeReason(
        `cannot read the service-account token file ${auth.tokenFile} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
      );
    }
    const response = await fetchImpl(`${base}/v1/auth/${auth.mount}/login`, {
      method: 'POST',
      headers: { ...headers(), 'content-type': 'application/json' },
      body: JSON.stringify({ role: auth.role, jwt }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!response.ok) throw new SafeReason(`Vault Kubernetes login as role ${auth.role}: ${describeStatus(response.status)}`);
    const parsed = loginResponse.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) throw new SafeReason('Vault Kubernetes login: unexpected response');
    // Renew at 80% of the lease; a lease of 0 means no expiry.
    const lease = parsed.data.auth.lease_duration;
    return { value: parsed.data.auth.client_token, renewAfter: lease === 0 ? Infinity : Date.now() + lease * 800 };
  }

  async function token(base: string): Promise<string> {
    if (!k8s) {
      if (!settings.token) throw new SafeReason('set VAULT_TOKEN (or VAULT_K8S_ROLE for Kubernetes auth)');
      return settings.token;
    }
    if (!cached || Date.now() >= cached.renewAfter) cached = await kubernetesLogin(base, k8s);
    return cached.value;
  }

  return async (ref) => {
    if (!addr) throw new SafeReason('set VAULT_ADDR');
    const path = ref.path.split('/').map(encodeURIComponent).join('/');
    const url = `${addr}/v1/${encodeURIComponent(ref.mount)}/data/${path}`;
    const read = async () => fetchImpl(url, { headers: headers(await token(addr)), signal: AbortSignal.timeout(TIMEOUT_MS) });
    let response = await read();
    if (response.status === 403 && k8s) {
      // The Vault token may have been revoked before its lease ended: log in once more.
      cached = undefined;
      response = await read();
    }
    if (!response.ok) throw new SafeReason(describeStatus(response.status));
    const parsed = kvResponse.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) throw new SafeReason('unexpected response (is the mount a KV version 2 engine?)');
    const data = parsed.data.data.data;
    if (data === null) throw new SafeReason('the latest version is deleted');
    if (ref.field !== undefined) return fieldOf(data, ref.field);
    // A KV secret is always a map; without #field, only a single-key secret has an obvious value.
    const keys = Object.keys(data);
    if (keys.length !== 1) throw new SafeReason(`the secret has ${keys.length} keys: name one with #field`);
    return fieldOf(data, keys[0]!);
  };
}
