/**
 * `portcullis keys create|list|rotate|revoke` and `portcullis tokens create`. Through the running
 * server's loopback admin endpoint when one holds the embedded data dir (its gateway sees the
 * change at once), directly on the database otherwise. The result is JSON on stdout; a new key or
 * token appears there once and nowhere else.
 */
import type { z } from 'zod';
import {
  operatorCreateKey,
  operatorCreateToken,
  operatorListKeys,
  operatorRevokeKey,
  operatorRotateKey,
  operatorSchemas,
} from '../admin/credential-operations.js';
import { systemActor, type ActionContext } from '../audit/context.js';
import type { Config } from '../config/load.js';
import type { CredentialDeps } from '../credentials/api-key-service.js';
import { MAX_GRACE_PERIOD_SECONDS } from '../credentials/api-key-input.js';
import { HttpError } from '../http/errors.js';
import { describeZodError } from '../http/zod-message.js';
import { adminClientFor } from './admin-client.js';
import { CliError } from './cli-error.js';
import { withDirectRuntime } from './commands.js';

type Options = Record<string, unknown>;

const FLAGS: Readonly<Record<string, string>> = {
  org: '--org',
  project: '--project',
  name: '--name',
  expiresAt: '--expires',
  allowedModels: '--models',
  gracePeriodSeconds: '--grace',
  keyId: '--key-id',
  role: '--role',
};

/** Validation messages in terms of the flags the operator typed. */
function parseFlags<S extends z.ZodType>(schema: S, input: Record<string, unknown>): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const message = describeZodError(result.error, input)
    .split('; ')
    .map((part) => part.replace(/^([A-Za-z]+)/, (field) => FLAGS[field] ?? field))
    .join('; ');
  throw new CliError(message, 2);
}

const text = (options: Options, key: string): string | undefined => (typeof options[key] === 'string' ? options[key] : undefined);

async function perform<T>(
  config: Config,
  adminPath: string,
  input: unknown,
  direct: (deps: CredentialDeps, ctx: ActionContext) => Promise<T>,
): Promise<T> {
  const admin = config.databaseUrl ? undefined : adminClientFor(config.dataDir);
  if (admin) return admin.call<T>('POST', adminPath, input);
  return withDirectRuntime(config, async (runtime) => {
    try {
      return await direct(
        { db: runtime.apiDb, bus: runtime.bus, logger: runtime.logger },
        { actor: systemActor('cli', runtime.host), requestId: null },
      );
    } catch (error) {
      if (error instanceof HttpError) throw new CliError(error.message);
      throw error;
    }
  });
}

function print(result: unknown): void {
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}

export async function keysCreateCommand(config: Config, options: Options): Promise<void> {
  const models = text(options, 'models');
  const input = parseFlags(operatorSchemas.keysCreate, {
    org: text(options, 'org'),
    project: text(options, 'project'),
    name: text(options, 'name'),
    expiresAt: text(options, 'expires'),
    allowedModels:
      models === undefined
        ? undefined
        : models
            .split(',')
            .map((m) => m.trim())
            .filter(Boolean),
  });
  print(await perform(config, '/admin/keys/create', input, (deps, ctx) => operatorCreateKey(deps, input, ctx)));
  process.stderr.write('Store the key now: it is not shown again.\n');
}

export async function keysListCommand(config: Config, options: Options): Promise<void> {
  const input = parseFlags(operatorSchemas.keysList, { org: text(options, 'org'), project: text(options, 'project') });
  print(await perform(config, '/admin/keys/list', input, (deps) => operatorListKeys(deps, input)));
}

export async function keysRotateCommand(config: Config, options: Options): Promise<void> {
  const grace = text(options, 'grace') ?? '0';
  if (!/^\d{1,7}$/.test(grace)) throw new CliError(`--grace must be a whole number of seconds from 0 to ${MAX_GRACE_PERIOD_SECONDS}`, 2);
  const input = parseFlags(operatorSchemas.keysRotate, {
    org: text(options, 'org'),
    keyId: text(options, 'keyId'),
    gracePeriodSeconds: Number(grace),
  });
  print(await perform(config, '/admin/keys/rotate', input, (deps, ctx) => operatorRotateKey(deps, input, ctx)));
  process.stderr.write(
    input.gracePeriodSeconds > 0
      ? `Store the new key now: it is not shown again. The old one keeps working for ${input.gracePeriodSeconds} s.\n`
      : 'Store the new key now: it is not shown again. The old one has stopped working.\n',
  );
}

export async function keysRevokeCommand(config: Config, options: Options): Promise<void> {
  const input = parseFlags(operatorSchemas.keysRevoke, { org: text(options, 'org'), keyId: text(options, 'keyId') });
  print(await perform(config, '/admin/keys/revoke', input, (deps, ctx) => operatorRevokeKey(deps, input, ctx)));
}

export async function tokensCreateCommand(config: Config, options: Options): Promise<void> {
  const input = parseFlags(operatorSchemas.tokensCreate, {
    org: text(options, 'org'),
    name: text(options, 'name'),
    role: text(options, 'role'),
    expiresAt: text(options, 'expires'),
  });
  print(await perform(config, '/admin/tokens/create', input, (deps, ctx) => operatorCreateToken(deps, input, ctx)));
  process.stderr.write('Store the token now: it is not shown again.\n');
}
