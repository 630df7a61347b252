#!/usr/bin/env node
/**
 * portcullis — the command line. Every command accepts --help. Configuration comes from flags,
 * then environment variables, then NAME_FILE files, then .env (see README: Configuration).
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from './config/config-error.js';
import { configFromOptions, withConfigOptions } from './cli/options.js';
import { CliError } from './cli/cli-error.js';
import { BootstrapDocumentError } from './bootstrap/document.js';
import type { runServer as RunServerFn } from './cli/run-server.js';
import type { bootstrapCommand as BootstrapFn, migrateCommand as MigrateFn } from './cli/commands.js';
import type { doctorCommand as DoctorFn } from './cli/doctor.js';

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

type Options = Record<string, unknown>;

const program = new Command('portcullis')
  .description('Self-hostable LLM gateway with enterprise security.')
  .showHelpAfterError()
  .exitOverride();

withConfigOptions(program.command('start'))
  .description('Run everything in one process: gateway (port 4000) and api + dashboard (port 4001). Migrates the database first.')
  .action((options: Options) => runServer(configFromOptions(options), ['gateway', 'api']));

withConfigOptions(program.command('gateway'))
  .description('Run only the gateway (/v1/*). On PostgreSQL it refuses to start until `portcullis migrate` has run.')
  .action((options: Options) => runServer(configFromOptions(options), ['gateway']));

withConfigOptions(program.command('api'))
  .description('Run only the api and dashboard (/api/*). On PostgreSQL it refuses to start until `portcullis migrate` has run.')
  .action((options: Options) => runServer(configFromOptions(options), ['api']));

withConfigOptions(program.command('migrate'))
  .description(
    'Apply pending database migrations (as the database owner). Goes through the running server when one holds the embedded data dir.',
  )
  .action((options: Options) => migrateCommand(configFromOptions(options)));

withConfigOptions(program.command('bootstrap'))
  .argument('<file>', 'JSON or YAML file describing orgs, members, projects, provider keys and API keys')
  .description(
    'Create orgs, projects, members, provider keys and API keys idempotently; print the API keys created now (only those, only once) as JSON.',
  )
  .action((file: string, options: Options) => bootstrapCommand(configFromOptions(options), file));

withConfigOptions(program.command('doctor'))
  .description('Check the production checklist (secrets, TLS, CORS, file modes, database, Redis); exit 1 on any failure.')
  .action(async (options: Options) => {
    process.exitCode = await doctorCommand(() => configFromOptions(options));
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
  } else if (error instanceof ConfigError || error instanceof BootstrapDocumentError) {
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
