/**
 * Stored request/response bodies for a page of request logs, decrypted with the org's data keys
 * (only when the export asks for them: `?include=bodies`). The bodies are ciphertext under AAD
 * (org, row, purpose), so a body of another org or another row could not decrypt here even if it
 * were read. Data keys are unwrapped once per export and kept only while it runs.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { dataKeyById, type DataKey } from '../../credentials/tenant-keys.js';
import { decryptSecret } from '../../crypto/envelope.js';
import type { MasterKeyring } from '../../crypto/master-keyring.js';
import { requestBodies } from '../../db/schema/index.js';
import type { Tx } from '../../db/types.js';
import { REQUEST_BODY_PURPOSE, RESPONSE_BODY_PURPOSE } from '../../gateway/request-log/insert.js';

export type DecryptedBodies = { request: string; response: string | null };

export type BodyReader = (tx: Tx, requestLogIds: readonly string[]) => Promise<Map<string, DecryptedBodies>>;

export function bodyReader(orgId: string, keyring: MasterKeyring): BodyReader {
  const keys = new Map<string, DataKey>();
  const keyFor = async (tx: Tx, id: string) => {
    let key = keys.get(id);
    if (!key) keys.set(id, (key = await dataKeyById(tx, orgId, id, keyring)));
    return key;
  };
  return async (tx, requestLogIds) => {
    const out = new Map<string, DecryptedBodies>();
    if (requestLogIds.length === 0) return out;
    const rows = await tx
      .select({
        id: requestBodies.id,
        requestLogId: requestBodies.requestLogId,
        tenantKeyId: requestBodies.tenantKeyId,
        request: requestBodies.requestCiphertext,
        response: requestBodies.responseCiphertext,
      })
      .from(requestBodies)
      .where(and(eq(requestBodies.orgId, orgId), inArray(requestBodies.requestLogId, [...requestLogIds])));
    for (const row of rows) {
      const { key } = await keyFor(tx, row.tenantKeyId);
      out.set(row.requestLogId, {
        request: decryptSecret(key, row.request, { orgId, rowId: row.id, purpose: REQUEST_BODY_PURPOSE }),
        response: row.response === null ? null : decryptSecret(key, row.response, { orgId, rowId: row.id, purpose: RESPONSE_BODY_PURPOSE }),
      });
    }
    return out;
  };
}
