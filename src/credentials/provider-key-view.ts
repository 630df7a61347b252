/**
 * What the management api shows of a provider key: never the key, not even encrypted. The
 * ciphertext and the data-key id are not even selected, so they cannot reach a response through
 * a later careless spread.
 */
import { asc, eq, getTableColumns, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { providerKeyProjects, providerKeys } from '../db/schema/index.js';
import type { Tx } from '../db/types.js';
import { scrubSecrets } from '../logging/secret-registry.js';

const { ciphertext: _ciphertext, tenantKeyId: _tenantKeyId, ...viewColumns } = getTableColumns(providerKeys);
type ProviderKeyViewRow = Omit<typeof providerKeys.$inferSelect, 'ciphertext' | 'tenantKeyId'>;

const timestamp = z.iso.datetime({ offset: true });

export const providerKeyViewSchema = z.object({
  id: z.uuid(),
  provider: z.string(),
  label: z.string(),
  baseUrl: z.string().nullable().meta({ description: 'null: the provider’s default endpoint.' }),
  options: z.record(z.string(), z.unknown()),
  last4: z
    .string()
    .meta({ description: 'The last 4 characters of the key (`****` for keys shorter than 12): all that is ever shown of it.' }),
  projectIds: z.array(z.uuid()).meta({ description: 'Projects that may use the key; empty: every project of the org.' }),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type ProviderKeyView = z.output<typeof providerKeyViewSchema>;

function toView(row: ProviderKeyViewRow, projectIds: string[]): ProviderKeyView {
  return {
    id: row.id,
    provider: row.provider,
    label: row.label,
    // Keys saved through the api cannot carry credentials or a query in their base URL; keys
    // from a bootstrap file are not checked that strictly, so scrub on the way out too.
    baseUrl: row.baseUrl === null ? null : scrubSecrets(row.baseUrl),
    options: row.options,
    last4: row.last4,
    projectIds: [...projectIds].sort(),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

async function scopesOf(tx: Tx, ids: string[]): Promise<Map<string, string[]>> {
  const scopes = new Map<string, string[]>();
  if (ids.length === 0) return scopes;
  const rows = await tx
    .select({ providerKeyId: providerKeyProjects.providerKeyId, projectId: providerKeyProjects.projectId })
    .from(providerKeyProjects)
    .where(inArray(providerKeyProjects.providerKeyId, ids));
  for (const row of rows) scopes.set(row.providerKeyId, [...(scopes.get(row.providerKeyId) ?? []), row.projectId]);
  return scopes;
}

/** Every provider key of the transaction's org (RLS), by provider then label. */
export async function listProviderKeyViews(tx: Tx): Promise<ProviderKeyView[]> {
  const rows = await tx.select(viewColumns).from(providerKeys).orderBy(asc(providerKeys.provider), asc(providerKeys.label));
  const scopes = await scopesOf(
    tx,
    rows.map((r) => r.id),
  );
  return rows.map((row) => toView(row, scopes.get(row.id) ?? []));
}

export async function providerKeyView(tx: Tx, id: string): Promise<ProviderKeyView | undefined> {
  const [row] = await tx.select(viewColumns).from(providerKeys).where(eq(providerKeys.id, id)).limit(1);
  if (!row) return undefined;
  return toView(row, (await scopesOf(tx, [id])).get(id) ?? []);
}
