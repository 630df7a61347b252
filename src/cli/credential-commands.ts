/**
 * `portcullis keys create|list|update|rotate|revoke|delete` and `portcullis tokens create`. Through the running
 * server's loopback admin endpoint when one holds the embedded data dir (its gateway sees the
 * change at once), directly on the database otherwise. The result is JSON on stdout; a new key or
 * token appears there once and nowhere else.
 */
import { z } from 'zod';
import {
  operatorCreateKey,
  operatorCreateToken,
  operatorDeleteKey,
  operatorListKeys,
  operatorRevokeKey,
  operatorRotateKey,
  operatorSchemas,
  operatorUpdateKey,
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

/** Schema field paths -> the flags that set them; the longest matching path wins. */
const FLAGS: Readonly<Record<string, string>> = {
  org: '--org',
  project: '--project',
  name: '--name',
  expiresAt: '--expires',
  allowedModels: '--models',
  ipAllowlist: '--ip-allowlist',
  limits: 'limits',
  'limits.usage': '--usage-limits',
  'limits.rate.requestsPerMinute': '--requests-per-minute',
  'limits.rate.tokensPerMinute': '--tokens-per-minute',
  gracePeriodSeconds: '--grace',
  keyId: '--key-id',
  role: '--role',
};

function flagOf(path: string): string {
  let best = '';
  for (const field of Object.keys(FLAGS))
    if ((path === field || path.startsWith(`${field}.`) || path.startsWith(`${field}[`)) && field.length > best.length) best = field;
  return best === '' ? path : `${FLAGS[best]}${path.slice(best.length)}`;
}

/** Validation messages in terms of the flags the operator typed. */
function parseFlags<S extends z.ZodType>(schema: S, input: Record<string, unknown>): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const message = describeZodError(result.error, input)
    .split('; ')
    .map((part) => {
      const colon = part.indexOf(': ');
      return colon === -1 ? part : flagOf(part.slice(0, colon)) + part.slice(colon);
    })
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

/** `none` clears a restriction on update; on create it is the same as leaving the flag out. */
const NONE = 'none';

/** A comma-separated flag as a list; `none` -> null. */
function list(options: Options, key: string): string[] | null | undefined {
  const value = text(options, key);
  if (value === undefined) return undefined;
  if (value.trim() === NONE) return null;
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** A whole number flag; anything else reaches zod as text, so the message names the flag. */
function whole(options: Options, key: string): number | string | null | undefined {
  const value = text(options, key);
  if (value === undefined) return undefined;
  if (value.trim() === NONE) return null;
  return /^\d{1,13}$/.test(value.trim()) ? Number(value) : value;
}

/**
 * `--usage-limits spend_usd:monthly:100,requests:daily:5000` (metric:period:limit, as the api's
 * usage limits), `--requests-per-minute`, `--tokens-per-minute`. Limits replace the key's limits
 * as a whole, as on the api: a flag left out means no such limit. Undefined when none is given.
 */
function limitsFrom(options: Options): Record<string, unknown> | undefined {
  const usage = list(options, 'usageLimits');
  const requestsPerMinute = whole(options, 'requestsPerMinute');
  const tokensPerMinute = whole(options, 'tokensPerMinute');
  if (usage === undefined && requestsPerMinute === undefined && tokensPerMinute === undefined) return undefined;
  return {
    usage: (usage ?? []).map((entry) => {
      const [metric, period, limit, ...rest] = entry.split(':');
      if (rest.length > 0 || limit === undefined)
        throw new CliError('--usage-limits: each entry must be metric:period:limit, e.g. spend_usd:monthly:100', 2);
      return { metric, period, limit: /^\d+(\.\d+)?$/.test(limit.trim()) ? Number(limit) : limit };
    }),
    rate: { requestsPerMinute: requestsPerMinute ?? null, tokensPerMinute: tokensPerMinute ?? null },
  };
}

/** The key fields create and update share, as the api names them; absent flags stay absent. */
function keyFields(options: Options): Record<string, unknown> {
  const expires = text(options, 'expires');
  const fields: Record<string, unknown> = {
    name: text(options, 'name'),
    expiresAt: expires?.trim() === NONE ? null : expires,
    allowedModels: list(options, 'models'),
    ipAllowlist: list(options, 'ipAllowlist'),
    limits: limitsFrom(options),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

export async function keysCreateCommand(config: Config, options: Options): Promise<void> {
  const fields = Object.fromEntries(Object.entries(keyFields(options)).filter(([, value]) => value !== null));
  const input = parseFlags(operatorSchemas.keysCreate, { org: text(options, 'org'), project: text(options, 'project'), ...fields });
  print(await perform(config, '/admin/keys/create', input, (deps, ctx) => operatorCreateKey(deps, input, ctx)));
  process.stderr.write('Store the key now: it is not shown again.\n');
}

/** The positional `<id>` of `keys update|delete` (cli.ts passes it as `options.id`). */
function keyIdArgument(options: Options): string {
  const keyId = text(options, 'id') ?? '';
  if (!z.uuid().safeParse(keyId).success) throw new CliError('<id> must be an API key id (a UUID, as `keys list` prints it)', 2);
  return keyId;
}

export async function keysUpdateCommand(config: Config, options: Options): Promise<void> {
  const keyId = keyIdArgument(options);
  const fields = keyFields(options);
  if (Object.keys(fields).length === 0)
    throw new CliError(
      'Nothing to change: give --name, --expires, --models, --ip-allowlist, --usage-limits, --requests-per-minute or --tokens-per-minute.',
      2,
    );
  const input = parseFlags(operatorSchemas.keysUpdate, { org: text(options, 'org'), keyId, ...fields });
  print(await perform(config, '/admin/keys/update', input, (deps, ctx) => operatorUpdateKey(deps, input, ctx)));
}

export async function keysDeleteCommand(config: Config, options: Options): Promise<void> {
  const keyId = keyIdArgument(options);
  const input = parseFlags(operatorSchemas.keysDelete, { org: text(options, 'org'), keyId });
  print(await perform(config, '/admin/keys/delete', input, (deps, ctx) => operatorDeleteKey(deps, input, ctx)));
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
