/**
 * `portcullis keys rotate-master`, `portcullis keys rotate-tenant ORG`, `portcullis orgs delete|cancel-deletion` and `orgs set-plan`.
 * Through the running server's loopback admin endpoint when one holds the embedded data dir,
 * directly on the database otherwise. Progress goes to stderr as it happens; the summary is JSON
 * on stdout.
 */
import { systemActor, type ActionContext } from '../audit/context.js';
import {
  keyOperatorSchemas,
  MAX_GRACE_SECONDS,
  operatorCancelOrgDeletion,
  operatorDeleteOrg,
  operatorRotateMaster,
  operatorRotateTenant,
  operatorSetPlan,
  type KeyOperatorDeps,
  type Progress,
} from '../admin/key-operations.js';
import { operatorMessage } from '../admin/key-routes.js';
import type { Config } from '../config/load.js';
import { RETIRED_KEY_GRACE_MS } from '../credentials/tenant-key-rotation.js';
import { describeZodError } from '../http/zod-message.js';
import { reencryptUnderCurrentAuthSecret, type AuthSecretRotationSummary } from '../identity/auth-secret-rotation.js';
import { adminClientFor } from './admin-client.js';
import { CliError } from './cli-error.js';
import { withDirectRuntime } from './commands.js';

type Options = Record<string, unknown>;
type Direct<T> = (deps: KeyOperatorDeps, ctx: ActionContext, progress: Progress) => Promise<T>;

const progress: Progress = (line) => process.stderr.write(`${line}\n`);

function print(result: unknown): void {
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}

/** `streamed`: the admin route answers NDJSON progress (the long-running rotations). */
async function perform<T>(config: Config, admin: { path: string; streamed: boolean }, input: unknown, direct: Direct<T>): Promise<T> {
  const client = config.databaseUrl ? undefined : adminClientFor(config.dataDir);
  if (client) {
    progress('Running inside the Portcullis server that holds the data dir.');
    return admin.streamed ? client.stream<T>(admin.path, input, progress) : client.call<T>('POST', admin.path, input);
  }
  return withDirectRuntime(config, async (runtime) => {
    try {
      return await direct(
        { db: runtime.apiDb, bus: runtime.bus, logger: runtime.logger, keyring: runtime.keyring },
        { actor: systemActor('cli', runtime.host), requestId: null },
        progress,
      );
    } catch (error) {
      const message = operatorMessage(error);
      if (message !== undefined) throw new CliError(message);
      throw error;
    }
  });
}

export async function rotateMasterCommand(config: Config, options: Options = {}): Promise<void> {
  const input = { refreshKmsVersions: options.refreshKmsVersions === true };
  const summary = await perform(config, { path: '/admin/keys/rotate-master', streamed: true }, input, (deps, ctx, onProgress) =>
    operatorRotateMaster(deps, ctx, onProgress, input),
  );
  print(summary);
  process.stderr.write(
    `Every data key is wrapped by master key ${summary.activeMasterKeyId}. Once every replica runs with it as MASTER_KEY, remove MASTER_KEY_PREVIOUS.\n`,
  );
}

export async function rotateAuthSecretCommand(config: Config): Promise<void> {
  const client = config.databaseUrl ? undefined : adminClientFor(config.dataDir);
  const summary = client
    ? await client.call<AuthSecretRotationSummary>('POST', '/admin/keys/rotate-auth-secret', {})
    : await withDirectRuntime(config, (runtime) =>
        reencryptUnderCurrentAuthSecret(
          runtime.apiDb,
          { current: runtime.secrets.authSecret, previous: runtime.secrets.previousAuthSecrets },
          { actor: systemActor('cli', runtime.host), requestId: null },
        ),
      );
  print(summary);
  if (summary.unreadable > 0)
    throw new CliError(
      `${summary.unreadable} two-factor setups were encrypted under a secret that is not in AUTH_SECRET or AUTH_SECRET_PREVIOUS: add it back and run this again, or those users must set up two-factor again.`,
    );
  process.stderr.write(
    'Every two-factor secret is encrypted under AUTH_SECRET. Keep AUTH_SECRET_PREVIOUS while recovery codes made before the rotation should still work and until retention has written a new audit checkpoint (docs/security.md).\n',
  );
}

export async function rotateTenantCommand(config: Config, org: string, options: Options): Promise<void> {
  const grace = typeof options.grace === 'string' ? options.grace : undefined;
  if (grace !== undefined && !/^\d{1,4}$/.test(grace))
    throw new CliError(`--grace must be a whole number of seconds from 0 to ${MAX_GRACE_SECONDS}`, 2);
  const parsed = keyOperatorSchemas.rotateTenant.safeParse({ org, ...(grace === undefined ? {} : { graceSeconds: Number(grace) }) });
  if (!parsed.success) throw new CliError(describeZodError(parsed.error).replace(/^graceSeconds/, '--grace'), 2);
  const input = parsed.data;
  // Directly on the embedded data dir this process holds its lock: no gateway can be running on
  // it, so the retired key need not wait. On PostgreSQL gateways may run anywhere.
  const directGraceMs = config.databaseUrl ? RETIRED_KEY_GRACE_MS : 0;
  const summary = await perform(config, { path: '/admin/keys/rotate-tenant', streamed: true }, input, (deps, ctx, onProgress) =>
    operatorRotateTenant(deps, input, ctx, onProgress, directGraceMs),
  );
  print(summary);
  if (summary.remainingDataKeyIds.length > 0)
    process.stderr.write('A retired data key is still in use (a body was stored under it at the last moment): run the command again.\n');
}

export async function orgsDeleteCommand(config: Config, name: string, options: Options): Promise<void> {
  const parsed = keyOperatorSchemas.orgsDelete.safeParse({
    org: name,
    confirm: options.confirm,
    ...(options.now === true ? { now: true } : {}),
  });
  if (!parsed.success) throw new CliError(describeZodError(parsed.error).replace(/^confirm/, '--confirm'), 2);
  const input = parsed.data;
  const result = await perform(config, { path: '/admin/orgs/delete', streamed: false }, input, (deps, ctx) =>
    operatorDeleteOrg(deps, input, ctx, config.orgDeletionGraceDays),
  );
  print(result);
  process.stderr.write(
    'scheduled' in result
      ? `Organization ${JSON.stringify(result.name)} will be deleted at ${result.deletionScheduledFor}; its API keys are refused until then. ` +
          `Cancel with \`portcullis orgs cancel-deletion\`; delete at once with --now.\n`
      : `Organization ${JSON.stringify(result.name)} deleted; its data keys are destroyed.\n`,
  );
}

export async function orgsCancelDeletionCommand(config: Config, name: string): Promise<void> {
  const parsed = keyOperatorSchemas.orgsCancelDeletion.safeParse({ org: name });
  if (!parsed.success) throw new CliError(describeZodError(parsed.error), 2);
  const input = parsed.data;
  const result = await perform(config, { path: '/admin/orgs/cancel-deletion', streamed: false }, input, (deps, ctx) =>
    operatorCancelOrgDeletion(deps, input, ctx),
  );
  print(result);
  process.stderr.write(`The deletion of organization ${JSON.stringify(result.name)} is cancelled; its API keys work again.\n`);
}

export async function orgsSetPlanCommand(config: Config, name: string, plan: string): Promise<void> {
  const parsed = keyOperatorSchemas.orgsSetPlan.safeParse({ org: name, plan });
  if (!parsed.success) throw new CliError(describeZodError(parsed.error), 2);
  const input = parsed.data;
  const change = await perform(config, { path: '/admin/orgs/set-plan', streamed: false }, input, (deps, ctx) =>
    operatorSetPlan(deps, input, ctx),
  );
  print(change);
  process.stderr.write(
    change.plan === change.previousPlan
      ? `Organization ${JSON.stringify(change.name)} is already on the ${change.plan} plan.\n`
      : `Organization ${JSON.stringify(change.name)} moved from the ${change.previousPlan} plan to ${change.plan}.\n`,
  );
}
