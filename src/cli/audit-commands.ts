/**
 * `portcullis audit verify [--org NAME]`: recomputes the audit hash chains and prints a JSON
 * report (every chain, or one org's); exits 1 when a chain is broken, naming its first broken link.
 */
import { operatorVerifyAudit, UnknownOrgError, type AuditVerifyResult } from '../admin/audit-operations.js';
import type { Config } from '../config/load.js';
import { adminClientFor } from './admin-client.js';
import { CliError } from './cli-error.js';
import { withDirectRuntime } from './commands.js';

export async function auditVerifyCommand(config: Config, options: { org?: unknown }): Promise<void> {
  const input = typeof options.org === 'string' ? { org: options.org } : {};
  const client = config.databaseUrl ? undefined : adminClientFor(config.dataDir);
  const result: AuditVerifyResult = client
    ? await client.call<AuditVerifyResult>('POST', '/admin/audit/verify', input)
    : await withDirectRuntime(config, async (runtime) => {
        try {
          return await operatorVerifyAudit(
            {
              owner: runtime.database.db,
              apiDb: runtime.apiDb,
              authSecret: runtime.secrets.authSecret,
              previousAuthSecrets: runtime.secrets.previousAuthSecrets,
            },
            input,
          );
        } catch (error) {
          if (error instanceof UnknownOrgError) throw new CliError(error.message, 2);
          throw error;
        }
      });
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  for (const chain of result.chains)
    if (chain.broken) process.stderr.write(`Audit chain ${chain.chain} is broken at event ${chain.broken.seq} (${chain.broken.reason}).\n`);
  if (!result.ok) throw new CliError(`${result.chains.filter((c) => !c.ok).length} audit chain(s) failed verification`);
  process.stderr.write(`${result.chains.length} audit chain(s) verified, ${result.chains.reduce((n, c) => n + c.events, 0)} events.\n`);
}
