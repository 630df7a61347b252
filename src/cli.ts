#!/usr/bin/env node
/**
 * portcullis — the command line. Every command accepts --help. Configuration comes from flags,
 * then environment variables, then NAME_FILE files, then .env (see README: Configuration).
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from './config/config-error.js';
import { configLoaderFromOptions, resolveConfigFromOptions, withConfigOptions } from './cli/options.js';
import { CliError } from './cli/cli-error.js';
import type { runServer as RunServerFn } from './cli/run-server.js';
import type { bootstrapCommand as BootstrapFn, migrateCommand as MigrateFn } from './cli/commands.js';
import type { doctorCommand as DoctorFn } from './cli/doctor.js';
import type * as CredentialCommands from './cli/credential-commands.js';
import type * as KeyRotationCommands from './cli/key-rotation-commands.js';

type RunServer = typeof RunServerFn;
type MigrateCommand = typeof MigrateFn;
type BootstrapCommand = typeof BootstrapFn;
type DoctorCommand = typeof DoctorFn;

// Commands are imported when run, so `portcullis gateway` does not load bootstrap, doctor or
// migration code (startup time and resident memory of every replica).
const runServer: RunServer = async (...args) => (await import('./cli/run-server.js')).runServer(...args);
const migrateCommand: MigrateCommand = async (...args) => (await import('./cli/commands.js')).migrateCommand(...args);
const bootstrapCommand: BootstrapCommand = async (...args) => (await import('./cli/commands.js')).bootstrapCommand(...args);
const doctorCommand: DoctorCommand = async (...args) => (await import('./cli/doctor.js')).doctorCommand(...args);
const credentialCommand =
  (name: keyof typeof CredentialCommands) =>
  async (options: Options): Promise<void> =>
    (await import('./cli/credential-commands.js'))[name](await resolveConfigFromOptions(options), options);

const keyRotation = async (): Promise<typeof KeyRotationCommands> => import('./cli/key-rotation-commands.js');

type Options = Record<string, unknown>;

// By name, not instanceof: importing the class would load the bootstrap parser (and yaml) into
// every process, `portcullis gateway` included, for an error only `bootstrap` throws.
const isBootstrapDocumentError = (error: unknown): error is Error => error instanceof Error && error.name === 'BootstrapDocumentError';

const program = new Command('portcullis')
  .description('Self-hostable LLM gateway with enterprise security.')
  .showHelpAfterError()
  .exitOverride();

withConfigOptions(program.command('start'), ['gateway', 'api'])
  .description('Run everything in one process: gateway (port 4000) and api + dashboard (port 4001). Migrates the database first.')
  .action(async (options: Options) => runServer(await resolveConfigFromOptions(options), ['gateway', 'api']));

withConfigOptions(program.command('gateway'), ['gateway'])
  .description('Run only the gateway (/v1/*). On PostgreSQL it refuses to start until `portcullis migrate` has run.')
  .action(async (options: Options) => {
    (await import('./server/heap-growth.js')).limitHeapGrowth();
    await runServer(await resolveConfigFromOptions(options), ['gateway']);
  });

withConfigOptions(program.command('api'), ['api'])
  .description('Run only the api and dashboard (/api/*). On PostgreSQL it refuses to start until `portcullis migrate` has run.')
  .action(async (options: Options) => runServer(await resolveConfigFromOptions(options), ['api']));

withConfigOptions(program.command('migrate'))
  .description(
    'Apply pending database migrations (as the database owner). Goes through the running server when one holds the embedded data dir.',
  )
  .action(async (options: Options) => migrateCommand(await resolveConfigFromOptions(options)));

withConfigOptions(program.command('bootstrap'))
  .argument('<file>', 'JSON or YAML file describing orgs, members, projects, provider keys and API keys')
  .description(
    'Create orgs, projects, members, provider keys and API keys idempotently; print the API keys created now (only those, only once) as JSON.',
  )
  .action(async (file: string, options: Options) => bootstrapCommand(await resolveConfigFromOptions(options), file));

withConfigOptions(program.command('doctor'))
  .description(
    'Check the production checklist (secrets, TLS, CORS, audit shipping, file modes, database SSL, 2FA of admins, stale keys and members, rate limits, guardrails); exit 1 on any failure.',
  )
  .option('--json', 'print { checks: [{ id, status, message, fix }], summary: { pass, warn, fail } }')
  .action(async (options: Options) => {
    process.exitCode = await doctorCommand(await configLoaderFromOptions(options), { json: options.json === true });
  });

const keys = program
  .command('keys')
  .description('Create, list, update, rotate, revoke and delete API keys (printed as JSON; a new key only once).');
withConfigOptions(keys.command('create'))
  .description('Create an API key for a project and print it, once.')
  .requiredOption('--org <name>', 'organization name')
  .requiredOption('--project <name>', 'project name (its mode decides pc_live_ or pc_test_)')
  .requiredOption('--name <name>', 'key name, unique in the project')
  .option('--expires <iso>', 'expiry, ISO 8601 with a time zone (e.g. 2027-01-01T00:00:00Z)')
  .option('--models <list>', 'comma-separated models this key may request (default: any the project allows)')
  .option('--ip-allowlist <cidrs>', 'comma-separated addresses or CIDR ranges the key may be used from (default: anywhere)')
  .option('--usage-limits <list>', 'comma-separated metric:period:limit, e.g. spend_usd:monthly:100,requests:daily:5000')
  .option('--requests-per-minute <n>', 'rate limit of the key')
  .option('--tokens-per-minute <n>', 'token rate limit of the key')
  .action(credentialCommand('keysCreateCommand'));
withConfigOptions(keys.command('update'))
  .argument('<id>', 'API key id (from `keys list`)')
  .description('Change an API key; flags left out keep their value, `none` clears one; any limit flag replaces all its limits.')
  .requiredOption('--org <name>', 'organization name')
  .option('--name <name>', 'new key name, unique in the project')
  .option('--expires <iso>', 'expiry, ISO 8601 with a time zone, or none')
  .option('--models <list>', 'comma-separated models this key may request, or none')
  .option('--ip-allowlist <cidrs>', 'comma-separated addresses or CIDR ranges, or none')
  .option('--usage-limits <list>', 'comma-separated metric:period:limit, or none')
  .option('--requests-per-minute <n>', 'rate limit of the key, or none')
  .option('--tokens-per-minute <n>', 'token rate limit of the key, or none')
  .action(async (id: string, options: Options) => credentialCommand('keysUpdateCommand')({ ...options, id }));
withConfigOptions(keys.command('delete'))
  .argument('<id>', 'API key id (from `keys list`)')
  .description('Delete an API key: it stops working at once; its request logs and audit trail stay.')
  .requiredOption('--org <name>', 'organization name')
  .action(async (id: string, options: Options) => credentialCommand('keysDeleteCommand')({ ...options, id }));
withConfigOptions(keys.command('list'))
  .description("List a project's API keys, masked.")
  .requiredOption('--org <name>', 'organization name')
  .requiredOption('--project <name>', 'project name')
  .action(credentialCommand('keysListCommand'));
withConfigOptions(keys.command('rotate'))
  .description('Give an API key a new secret and print it, once; the key keeps its id, limits and history.')
  .requiredOption('--org <name>', 'organization name')
  .requiredOption('--key-id <id>', 'API key id (from `keys list`)')
  .option('--grace <seconds>', 'how long the old secret keeps working (0 to 604800)', '0')
  .action(credentialCommand('keysRotateCommand'));
withConfigOptions(keys.command('revoke'))
  .description('Revoke an API key immediately.')
  .requiredOption('--org <name>', 'organization name')
  .requiredOption('--key-id <id>', 'API key id (from `keys list`)')
  .action(credentialCommand('keysRevokeCommand'));
withConfigOptions(keys.command('rotate-master'))
  .description(
    "Re-wrap every org's data keys under MASTER_KEY, unwrapping with MASTER_KEY_PREVIOUS where needed. Resumable; no downtime; prints a JSON summary.",
  )
  .option(
    '--refresh-kms-versions',
    'with MASTER_KEY_PROVIDER: also move keys already under the KMS key to its newest version (Vault rewrap, AWS ReEncrypt)',
  )
  .action(async (options: Options) => (await keyRotation()).rotateMasterCommand(await resolveConfigFromOptions(options), options));
withConfigOptions(keys.command('rotate-auth-secret'))
  .description(
    'After AUTH_SECRET was rotated (the old value in AUTH_SECRET_PREVIOUS): re-encrypt every two-factor secret and backup code under AUTH_SECRET; prints a JSON summary, exit 1 if some open under no listed secret.',
  )
  .action(async (options: Options) => (await keyRotation()).rotateAuthSecretCommand(await resolveConfigFromOptions(options)));
withConfigOptions(keys.command('rotate-tenant'))
  .argument('<org>', 'organization name')
  .description(
    'Give an org a new data key, re-encrypt its provider keys, secrets and stored bodies under it, then destroy the old key. Resumable.',
  )
  .option(
    '--grace <seconds>',
    'wait before destroying the old key, for gateways still holding it (default 90; 0 directly on the embedded data dir)',
  )
  .action(async (org: string, options: Options) =>
    (await keyRotation()).rotateTenantCommand(await resolveConfigFromOptions(options), org, options),
  );

const orgs = program.command('orgs').description('Organizations.');
withConfigOptions(orgs.command('delete'))
  .argument('<name>', 'organization name')
  .requiredOption('--confirm <name>', 'the exact organization name again')
  .option('--now', 'delete at once instead of after the grace period (ORG_DELETION_GRACE_DAYS)')
  .description(
    'Schedule the deletion of an organization (its API keys are refused at once; after ORG_DELETION_GRACE_DAYS it is deleted and its data keys destroyed: whatever was encrypted for it can never be decrypted again). --now deletes at once.',
  )
  .action(async (name: string, options: Options) =>
    (await keyRotation()).orgsDeleteCommand(await resolveConfigFromOptions(options), name, options),
  );
withConfigOptions(orgs.command('cancel-deletion'))
  .argument('<name>', 'organization name')
  .description("Cancel an organization's scheduled deletion; its API keys work again at once.")
  .action(async (name: string, options: Options) =>
    (await keyRotation()).orgsCancelDeletionCommand(await resolveConfigFromOptions(options), name),
  );
withConfigOptions(orgs.command('set-plan'))
  .argument('<org>', 'organization name')
  .argument('<plan>', 'free | pro | enterprise')
  .description("Set an organization's plan (audited as the operator): how an instance admin's own org changes plan.")
  .action(async (name: string, plan: string, options: Options) =>
    (await keyRotation()).orgsSetPlanCommand(await resolveConfigFromOptions(options), name, plan),
  );

const tokens = program.command('tokens').description('Admin tokens for the management api (/api).');
withConfigOptions(tokens.command('create'))
  .description("Create an admin token for an organization and print it, once (the operator's way to the first one).")
  .requiredOption('--org <name>', 'organization name')
  .requiredOption('--name <name>', 'token name, unique in the organization')
  .requiredOption('--role <role>', 'owner | admin | developer | viewer')
  .option('--expires <iso>', 'expiry, ISO 8601 with a time zone')
  .action(credentialCommand('tokensCreateCommand'));

const audit = program.command('audit').description('The audit trail.');
withConfigOptions(audit.command('verify'))
  .description('Recompute the audit hash chains (every chain, or one org’s) and report the first broken link; exit 1 if any is broken.')
  .option('--org <name>', 'only this organization’s chain')
  .action(async (options: Options) =>
    (await import('./cli/audit-commands.js')).auditVerifyCommand(await resolveConfigFromOptions(options), options),
  );

const backupCommands = async () => import('./cli/backup-commands.js');
withConfigOptions(program.command('backup'))
  .description(
    'Write a consistent, encrypted (AES-256-GCM, BACKUP_ENCRYPTION_KEY) logical backup of every table. Embedded: stop the server first. See docs/backup.md.',
  )
  .requiredOption('--out <file>', 'where to write it (mode 0600, written atomically); `-` for stdout')
  .action(async (options: Options) => (await backupCommands()).backupCommand(await resolveConfigFromOptions(options), options));
withConfigOptions(program.command('restore'))
  .description(
    'Restore a backup into an empty database (all or nothing), after checking the whole file. Needs the same BACKUP_ENCRYPTION_KEY, MASTER_KEY and AUTH_SECRET.',
  )
  .requiredOption('--in <file>', 'the backup file')
  .option('--force', 'replace whatever the target database holds (in the same transaction)')
  .action(async (options: Options) => (await backupCommands()).restoreCommand(await resolveConfigFromOptions(options), options));
withConfigOptions(program.command('migrate-to-postgres'))
  .description(
    'Copy the embedded data dir (the server stopped) into an empty PostgreSQL database in one transaction, verify it, and print which secrets the PostgreSQL deployment needs.',
  )
  .option('--to <url>', 'target postgres:// URL (default: DATABASE_URL)')
  .action(async (options: Options) => (await backupCommands()).migrateToPostgresCommand(await resolveConfigFromOptions(options), options));

const guardrails = program.command('guardrails').description('Guardrail detectors (PII, secrets, prompt injection).');
guardrails
  .command('scan')
  .description(
    'Read JSON Lines {"id","text"} on stdin and print one line {"id","findings":[{detector,type,start,end}]} per input (offsets are JavaScript string indices). Needs no configuration.',
  )
  .option('--policy <file>', 'JSON policy: {"detectors": ["pii","secret","injection"]} (all built-in detectors by default)')
  .option('--tool-definitions', "each text is a tool's description: read for tool poisoning instead of by the prompt-injection model")
  .action(async (options: { policy?: string; toolDefinitions?: boolean }) => {
    process.exitCode = await (await import('./guardrails/scan-cli.js')).guardrailsScanCommand(options);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
  } else if (error instanceof ConfigError || isBootstrapDocumentError(error)) {
    process.stderr.write(`portcullis: ${error.message}\n`);
    process.exitCode = 2;
  } else if (error instanceof CliError) {
    process.stderr.write(`portcullis: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(`portcullis: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
