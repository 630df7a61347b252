import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { parseMasterKey, type MasterKey } from '../crypto/envelope.js';
import { validateProviderBaseUrl } from '../gateway/upstream/ssrf.js';
import { parseTrustProxy, type TrustProxy } from '../http/trust-proxy.js';
import { registerSecret } from '../logging/secret-registry.js';
import { REFERENCE_VARIABLES, type ResolvedReferences, type SecretReferenceSet } from '../secrets/config-references.js';
import { referenceScheme } from '../secrets/reference.js';
import { parseBackupEncryptionKey } from './backup-key.js';
import { parsePreviousAuthSecrets } from './previous-auth-secrets.js';
import { ConfigError } from './config-error.js';
import { parseTracingConfig, type TracingConfig } from '../observability/tracing-config.js';
import { parseMasterKeyProvider, type MasterKeyProviderConfig } from './master-key-provider.js';
import { gatherVariables, type ConfigSources, type VariableOrigin } from './sources.js';
import { variableMeta, variablesSchema, VARIABLE_NAMES, type RawVariables, type VariableName } from './variables.js';

export type Config = {
  nodeEnv: RawVariables['NODE_ENV'];
  production: boolean;
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolMax: number;
  redisUrl: string | undefined;
  redisPrefix: string;
  host: string;
  gatewayPort: number;
  apiPort: number;
  /** Where GET /metrics is served and the token it asks for (observability/metrics-endpoint.ts). */
  metrics: { port: number | undefined; token: string | undefined };
  publicUrl: string;
  /** The gateway as the api calls it; undefined: the one in this process (if any). */
  gatewayInternalUrl: string | undefined;
  /** Undefined when not configured: generated into the data dir outside production. */
  authSecret: string | undefined;
  /** Earlier AUTH_SECRETs (AUTH_SECRET_PREVIOUS), newest first: to read what they made, never to sign. */
  previousAuthSecrets: string[];
  masterKey: MasterKey | undefined;
  /** Earlier master keys (MASTER_KEY_PREVIOUS), for unwrapping only. */
  previousMasterKeys: MasterKey[];
  /** MASTER_KEY_PROVIDER: local, or the KMS that wraps data keys (and MASTER_KEY_CACHE_SECONDS). */
  masterKeyProvider: MasterKeyProviderConfig;
  /** Exact origins, or '*' (allowed outside production only). */
  corsOrigins: string[] | '*';
  /** Browser origins allowed on the gateway; empty = none (the default). */
  gatewayCorsOrigins: string[];
  trustProxy: TrustProxy;
  tls: { certFile: string; keyFile: string } | undefined;
  logLevel: RawVariables['LOG_LEVEL'];
  gatewayMaxBodyBytes: number;
  /** /v1 requests one gateway process serves at once; beyond it 503 (gateway/overload/in-flight-cap.ts). */
  gatewayMaxInFlight: number;
  /** Worker threads for guardrail scans of long texts (gateway/guardrails/scan-pool.ts); 0: none. */
  guardrailScanWorkers: number;
  apiMaxBodyBytes: number;
  shutdownTimeoutMs: number;
  /** How often the api applies retention (governance/retention-job.ts). */
  retentionIntervalMs: number;
  /** Days an org scheduled for deletion waits before the purge (credentials/org-deletion-schedule.ts). */
  orgDeletionGraceDays: number;
  allowPrivateProviderUrls: boolean;
  /** SIEM delivery of audit events (audit/siem/): a signed webhook and/or JSON lines on stdout. */
  siem: { webhook: { url: string; secret: string } | undefined; stdout: boolean };
  upstreamTimeoutMs: number;
  /** Bound on one /v1 request across all its attempts (REQUEST_TIMEOUT_MS). */
  requestTimeoutMs: number;
  /** Signed-in sessions: idle expiry (slides with use) and absolute expiry (from sign-in), in seconds. */
  session: { idleTimeoutSeconds: number; maxAgeSeconds: number };
  /** Passkeys: the relying-party id and the exact origins allowed in WebAuthn client data. */
  webauthn: { rpId: string; origins: string[] };
  /** Sign-in providers; each is undefined unless its client id and secret are set. */
  oauth: OAuthConfig;
  /** Outgoing mail: the relay (undefined: log in development, disabled in production) and the sender. */
  smtp: { url: string | undefined; from: string };
  /** BACKUP_ENCRYPTION_KEY (32 bytes): encrypts and opens backup files; undefined = backup and restore refuse. */
  backupEncryptionKey: Buffer | undefined;
  /** Secret references (vault://, aws-sm://, …) resolved at start-up; the refresher resolves them again. */
  secretReferences: SecretReferenceSet | undefined;
  /** SECRETS_REFRESH_SECONDS; 0 = no refresh. */
  secretRefreshSeconds: number;
  /** OpenTelemetry traces (OTEL_* variables); undefined: tracing off, the SDK is never loaded. */
  tracing: TracingConfig | undefined;
  /** Where each variable came from; `doctor` uses it to tell generated from configured. */
  origins: Record<VariableName, VariableOrigin>;
};

function formatIssue(issue: z.core.$ZodIssue): string {
  const name = String(issue.path[0] ?? '(config)');
  if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => `${k}: unknown variable`).join('; ');
  return `${name}: ${issue.message}`;
}

/**
 * WEBAUTHN_RP_ID and WEBAUTHN_ORIGINS, defaulting to PUBLIC_URL's host name and origin. A browser
 * only accepts an RP id equal to the page's host or a parent domain of it, so an origin outside
 * the RP id is a configuration error, reported at start rather than at the first passkey.
 */
function parseWebAuthn(
  rpIdValue: string | undefined,
  originsValue: string | undefined,
  publicUrl: string,
  problems: string[],
): Config['webauthn'] {
  const publicOrigin = URL.canParse(publicUrl) ? new URL(publicUrl) : undefined;
  const rpId = rpIdValue ?? publicOrigin?.hostname ?? 'localhost';
  const listed = parseCorsOrigins(originsValue, problems, 'WEBAUTHN_ORIGINS');
  if (listed === '*') problems.push('WEBAUTHN_ORIGINS: "*" is not allowed (list exact origins)');
  const origins = listed === '*' || listed.length === 0 ? (publicOrigin ? [publicOrigin.origin] : []) : listed;
  for (const origin of origins) {
    const host = new URL(origin).hostname;
    if (host !== rpId && !host.endsWith(`.${rpId}`))
      problems.push(
        `WEBAUTHN_ORIGINS, WEBAUTHN_RP_ID: ${origin} is not on ${rpId} or a subdomain of it (browsers would refuse the passkey)`,
      );
  }
  return { rpId, origins };
}

export type OAuthConfig = {
  github: { clientId: string; clientSecret: string; baseUrl: string; apiUrl: string; allowedOrgs: string[] } | undefined;
  google: { clientId: string; clientSecret: string; issuer: string; allowedDomains: string[] } | undefined;
  oidc: { issuer: string; clientId: string; clientSecret: string; name: string; groupsClaim: string; scopes: string[] } | undefined;
};

const commaList = (value: string | undefined, lower = false) =>
  (value ?? '')
    .split(',')
    .map((s) => (lower ? s.trim().toLowerCase() : s.trim()))
    .filter(Boolean);

/** A provider is on when its client id and secret are both set; one without the other is a mistake. */
function parseOAuth(raw: RawVariables, problems: string[]): OAuthConfig {
  const pair = (prefix: string, id: string | undefined, secret: string | undefined) => {
    if ((id === undefined) !== (secret === undefined)) problems.push(`${prefix}_CLIENT_ID, ${prefix}_CLIENT_SECRET: set both or neither`);
    return id !== undefined && secret !== undefined ? { clientId: id, clientSecret: secret } : undefined;
  };
  const github = pair('GITHUB', raw.GITHUB_CLIENT_ID, raw.GITHUB_CLIENT_SECRET);
  const google = pair('GOOGLE', raw.GOOGLE_CLIENT_ID, raw.GOOGLE_CLIENT_SECRET);
  const oidc = pair('OIDC', raw.OIDC_CLIENT_ID, raw.OIDC_CLIENT_SECRET);
  if (oidc && raw.OIDC_ISSUER === undefined) problems.push('OIDC_ISSUER: required when OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are set');
  const githubDotCom = raw.GITHUB_BASE_URL === 'https://github.com';
  return {
    github: github && {
      ...github,
      baseUrl: raw.GITHUB_BASE_URL,
      apiUrl: raw.GITHUB_API_URL ?? (githubDotCom ? 'https://api.github.com' : `${raw.GITHUB_BASE_URL}/api/v3`),
      // GitHub logins are case-insensitive.
      allowedOrgs: commaList(raw.GITHUB_ALLOWED_ORGS, true),
    },
    google: google && { ...google, issuer: raw.GOOGLE_ISSUER, allowedDomains: commaList(raw.GOOGLE_ALLOWED_DOMAINS, true) },
    oidc:
      oidc && raw.OIDC_ISSUER !== undefined
        ? { ...oidc, issuer: raw.OIDC_ISSUER, name: raw.OIDC_NAME, groupsClaim: raw.OIDC_GROUPS_CLAIM, scopes: raw.OIDC_SCOPES }
        : undefined,
  };
}

/** The SIEM webhook needs its secret (and the reverse), and a URL the provider-URL address policy accepts. */
function parseSiem(raw: RawVariables, allowPrivate: boolean, problems: string[]): Config['siem'] {
  const url = raw.SIEM_WEBHOOK_URL;
  const secret = raw.SIEM_WEBHOOK_SECRET;
  if ((url === undefined) !== (secret === undefined)) problems.push('SIEM_WEBHOOK_URL, SIEM_WEBHOOK_SECRET: set both or neither');
  if (secret !== undefined && secret.length < 32) problems.push('SIEM_WEBHOOK_SECRET: expected at least 32 characters');
  if (url !== undefined) {
    try {
      validateProviderBaseUrl(url, { allowPrivate });
    } catch (error) {
      problems.push(`SIEM_WEBHOOK_URL: ${(error as Error).message.replace(/^Refused provider URL/, 'refused')}`);
    }
  }
  return { webhook: url !== undefined && secret !== undefined ? { url, secret } : undefined, stdout: raw.SIEM_STDOUT === 'true' };
}

function parseCorsOrigins(value: string | undefined, problems: string[], name = 'CORS_ORIGINS'): string[] | '*' {
  if (value === undefined || value.trim() === '') return [];
  if (value.trim() === '*') return '*';
  const origins: string[] = [];
  for (const entry of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    let url: URL | undefined;
    try {
      url = new URL(entry);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol) || url.origin !== entry.replace(/\/$/, '')) {
      problems.push(`${name}: "${entry}" is not an origin (expected scheme://host[:port], no path)`);
    } else {
      origins.push(url.origin);
    }
  }
  return origins;
}

/**
 * Loads, validates and types the configuration. Throws ConfigError listing every problem at once.
 * Secret references must have been resolved first (`loadConfigResolvingReferences`, which passes
 * `references`): one left unresolved is an error, never a literal value (an AUTH_SECRET of
 * "vault://…" would otherwise be accepted as the secret itself).
 */
export function loadConfig(sources: ConfigSources, cwd = process.cwd(), references?: ResolvedReferences): Config {
  const gathered = gatherVariables(sources, cwd);
  const { origins, problems, failed } = gathered;
  const values: Record<string, string> = { ...gathered.values, ...references?.values };
  for (const name of VARIABLE_NAMES) {
    const scheme = values[name] === undefined ? undefined : referenceScheme(values[name]);
    if (scheme && references?.values[name] === undefined) {
      problems.push(
        REFERENCE_VARIABLES.includes(name)
          ? `${name}: is a ${scheme}:// secret reference, which this command does not resolve`
          : `${name}: cannot be a secret reference (only secrets, DATABASE_URL and REDIS_URL can)`,
      );
      failed.add(name);
      delete values[name];
    }
  }

  // Before anything can fail: whatever reports the failure must not be able to echo a secret.
  for (const name of VARIABLE_NAMES) {
    const value = values[name];
    if (value && variableMeta(name).secret) registerSecret(value);
  }

  // Invalid variables are reported, then validated as if unset so that the checks below still run
  // (every problem at once) without adding follow-on problems about a value that is already wrong.
  const invalid = new Set<string>(failed);
  const parsed = variablesSchema.safeParse(values);
  if (!parsed.success) {
    for (const message of new Set(parsed.error.issues.map(formatIssue))) problems.push(message);
    for (const issue of parsed.error.issues) invalid.add(String(issue.path[0]));
  }
  const valid = parsed.success
    ? parsed
    : variablesSchema.safeParse(Object.fromEntries(Object.entries(values).filter(([name]) => !invalid.has(name))));
  if (!valid.success) throw new ConfigError(problems.concat(valid.error.issues.map(formatIssue)));
  const raw = valid.data;

  let masterKey: MasterKey | undefined;
  if (raw.MASTER_KEY !== undefined) {
    try {
      masterKey = parseMasterKey(raw.MASTER_KEY);
    } catch (error) {
      problems.push(`MASTER_KEY: ${(error as Error).message}`);
    }
  }

  let backupEncryptionKey: Buffer | undefined;
  if (raw.BACKUP_ENCRYPTION_KEY !== undefined) {
    const parsedKey = parseBackupEncryptionKey(raw.BACKUP_ENCRYPTION_KEY, masterKey);
    if (typeof parsedKey === 'string') problems.push(`BACKUP_ENCRYPTION_KEY: ${parsedKey}`);
    else backupEncryptionKey = parsedKey;
  }

  const previousMasterKeys: MasterKey[] = [];
  for (const [index, entry] of (raw.MASTER_KEY_PREVIOUS ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)
    .entries()) {
    // Each key alone is a secret too: one of them may show up without its neighbours.
    registerSecret(entry);
    try {
      previousMasterKeys.push(parseMasterKey(entry));
    } catch (error) {
      problems.push(`MASTER_KEY_PREVIOUS (entry ${index + 1}): ${(error as Error).message}`);
    }
  }

  const previousAuthSecrets = parsePreviousAuthSecrets(raw.AUTH_SECRET_PREVIOUS, raw.AUTH_SECRET, problems);

  let trustProxy: TrustProxy = { kind: 'none' };
  try {
    trustProxy = parseTrustProxy(raw.TRUST_PROXY);
  } catch (error) {
    problems.push(`TRUST_PROXY: ${(error as Error).message}`);
  }

  const corsOrigins = parseCorsOrigins(raw.CORS_ORIGINS, problems);
  const gatewayCors = parseCorsOrigins(raw.GATEWAY_CORS_ORIGINS, problems, 'GATEWAY_CORS_ORIGINS');
  if (gatewayCors === '*') problems.push('GATEWAY_CORS_ORIGINS: "*" is not allowed (list exact origins)');
  const gatewayCorsOrigins = gatewayCors === '*' ? [] : gatewayCors;

  let tls: Config['tls'];
  if ((raw.TLS_CERT_FILE || raw.TLS_KEY_FILE) && !invalid.has('TLS_CERT_FILE') && !invalid.has('TLS_KEY_FILE')) {
    if (!raw.TLS_CERT_FILE || !raw.TLS_KEY_FILE) problems.push('TLS_CERT_FILE, TLS_KEY_FILE: set both or neither');
    else {
      tls = { certFile: resolve(cwd, raw.TLS_CERT_FILE), keyFile: resolve(cwd, raw.TLS_KEY_FILE) };
      if (!existsSync(tls.certFile)) problems.push(`TLS_CERT_FILE: ${raw.TLS_CERT_FILE} does not exist`);
      if (!existsSync(tls.keyFile)) problems.push(`TLS_KEY_FILE: ${raw.TLS_KEY_FILE} does not exist`);
    }
  }

  if (!invalid.has('GATEWAY_PORT') && !invalid.has('API_PORT') && raw.GATEWAY_PORT !== 0 && raw.GATEWAY_PORT === raw.API_PORT)
    problems.push('GATEWAY_PORT, API_PORT: the two services need different ports');
  if (raw.METRICS_PORT !== undefined && raw.METRICS_PORT !== 0 && [raw.GATEWAY_PORT, raw.API_PORT].includes(raw.METRICS_PORT))
    problems.push('METRICS_PORT: needs a port of its own, not GATEWAY_PORT or API_PORT');
  if (!invalid.has('SESSION_IDLE_TIMEOUT') && !invalid.has('SESSION_MAX_AGE') && raw.SESSION_IDLE_TIMEOUT > raw.SESSION_MAX_AGE)
    problems.push('SESSION_IDLE_TIMEOUT, SESSION_MAX_AGE: the idle timeout cannot be longer than the maximum session age');
  const scheme = tls ? 'https' : 'http';
  const publicUrl = (raw.PUBLIC_URL ?? `${scheme}://localhost:${raw.API_PORT}`).replace(/\/+$/, '');
  const webauthn = parseWebAuthn(raw.WEBAUTHN_RP_ID, raw.WEBAUTHN_ORIGINS, publicUrl, problems);
  const oauth = parseOAuth(raw, problems);
  const allowPrivateProviderUrls =
    raw.ALLOW_PRIVATE_PROVIDER_URLS === undefined ? raw.NODE_ENV !== 'production' : raw.ALLOW_PRIVATE_PROVIDER_URLS === 'true';
  const siem = parseSiem(raw, allowPrivateProviderUrls, problems);
  const masterKeyProvider = parseMasterKeyProvider(raw, problems);
  const tracing = parseTracingConfig(raw, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    nodeEnv: raw.NODE_ENV,
    production: raw.NODE_ENV === 'production',
    dataDir: resolve(cwd, raw.PORTCULLIS_DATA_DIR),
    databaseUrl: raw.DATABASE_URL,
    databasePoolMax: raw.DATABASE_POOL_MAX,
    redisUrl: raw.REDIS_URL,
    redisPrefix: raw.REDIS_PREFIX,
    host: raw.HOST,
    gatewayPort: raw.GATEWAY_PORT,
    apiPort: raw.API_PORT,
    metrics: { port: raw.METRICS_PORT, token: raw.METRICS_TOKEN },
    publicUrl,
    gatewayInternalUrl: raw.GATEWAY_INTERNAL_URL?.replace(/\/+$/, ''),
    authSecret: raw.AUTH_SECRET,
    previousAuthSecrets,
    masterKey,
    previousMasterKeys,
    masterKeyProvider,
    corsOrigins,
    gatewayCorsOrigins,
    trustProxy,
    tls,
    logLevel: raw.LOG_LEVEL,
    gatewayMaxBodyBytes: raw.GATEWAY_MAX_BODY_BYTES,
    gatewayMaxInFlight: raw.GATEWAY_MAX_IN_FLIGHT,
    guardrailScanWorkers: raw.GUARDRAIL_SCAN_WORKERS,
    apiMaxBodyBytes: raw.API_MAX_BODY_BYTES,
    shutdownTimeoutMs: raw.SHUTDOWN_TIMEOUT_MS,
    retentionIntervalMs: raw.RETENTION_INTERVAL_SECONDS * 1000,
    orgDeletionGraceDays: raw.ORG_DELETION_GRACE_DAYS,
    allowPrivateProviderUrls,
    siem,
    upstreamTimeoutMs: raw.UPSTREAM_TIMEOUT_MS,
    requestTimeoutMs: raw.REQUEST_TIMEOUT_MS,
    session: { idleTimeoutSeconds: raw.SESSION_IDLE_TIMEOUT, maxAgeSeconds: raw.SESSION_MAX_AGE },
    webauthn,
    oauth,
    secretReferences: references?.set,
    secretRefreshSeconds: raw.SECRETS_REFRESH_SECONDS,
    tracing,
    smtp: { url: raw.SMTP_URL, from: raw.SMTP_FROM ?? `Portcullis <no-reply@${new URL(publicUrl).hostname}>` },
    backupEncryptionKey,
    origins: origins,
  };
}
