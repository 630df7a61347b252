/**
 * The plaintext records of a dump, one JSON document each: a manifest (schema version and tables),
 * batches of rows, and an end record with the row count of every table. Both transports carry
 * them: encrypted into a backup file, or straight from the embedded database into PostgreSQL.
 * Every value is PostgreSQL's own text form (bytea as hex, timestamps in UTC), so a row comes back
 * byte for byte through the column type's input function.
 */
import { z } from 'zod';

export const DUMP_FORMAT_VERSION = 1;

const columnSchema = z.object({ name: z.string().min(1), type: z.string().min(1), identityAlways: z.boolean() });

export const manifestSchema = z.object({
  kind: z.literal('manifest'),
  formatVersion: z.literal(DUMP_FORMAT_VERSION),
  createdAt: z.string(),
  source: z.enum(['pglite', 'postgres']),
  /** drizzle journal timestamps of the migrations the source had applied, in order. */
  migrations: z.array(z.number().int()),
  tables: z.array(z.object({ name: z.string().min(1), columns: z.array(columnSchema).min(1) })),
});
export type Manifest = z.infer<typeof manifestSchema>;

const rowsSchema = z.object({ kind: z.literal('rows'), table: z.string().min(1), rows: z.array(z.array(z.string().nullable())).min(1) });
const endSchema = z.object({ kind: z.literal('end'), rowCounts: z.record(z.string(), z.number().int().nonnegative()) });

export const dumpRecordSchema = z.discriminatedUnion('kind', [manifestSchema, rowsSchema, endSchema]);
export type DumpRecord = z.infer<typeof dumpRecordSchema>;

export class DumpFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DumpFormatError';
  }
}

export function parseDumpRecord(text: string): DumpRecord {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new DumpFormatError('a backup record is not valid JSON');
  }
  const parsed = dumpRecordSchema.safeParse(json);
  if (!parsed.success)
    throw new DumpFormatError(`a backup record has an unexpected shape (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  return parsed.data;
}
