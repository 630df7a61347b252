/**
 * Every configuration variable Portcullis reads, in one zod schema. Keys are the environment
 * variable names; `.meta()` carries what the README table, the CLI flags and the secret handling
 * need. Values arrive as strings (from flags, env, NAME_FILE files or .env) and are parsed here.
 */
import { z } from 'zod';

export type VariableMeta = {
  description: string;
  /** Shown in the README table when the default is computed or absent. */
  defaultLabel?: string;
  /** Never printed, logged or echoed in errors; registered with the log scrubber. */
  secret?: boolean;
  /** Command-line flag that sets this variable (highest precedence). */
  flag?: string;
};

const meta = (m: VariableMeta) => m;

/**
 * A decimal integer, surrounding whitespace allowed. Not `z.coerce.number()`: it turns a blank value
 * into 0 (for a port: "any free port", silently) and accepts `0x1f90`, `1e3` and `80.0`.
 */
const decimal = (message: string, min: number, max: number) =>
  z.string({ error: message }).trim().regex(/^\d+$/, message).transform(Number).pipe(z.number().min(min, message).max(max, message));
const port = decimal('expected a port number (0-65535)', 0, 65535);
const positiveInt = (max: number) => decimal(`expected a whole number from 1 to ${max}`, 1, max);
/**
 * A duration: whole seconds, or a number with a unit (`30s`, `15m`, `12h`, `7d`); parsed to seconds.
 * Units keep `SESSION_MAX_AGE=7d` readable; bare numbers stay seconds so nothing needs a suffix.
 */
const DURATION_UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };
const duration = (maxSeconds: number) => {
  const message = `expected a duration such as 3600, 30m, 12h or 7d (at least 1 second, at most ${maxSeconds / 86_400} days)`;
  return z
    .string({ error: message })
    .trim()
    .regex(/^\d+[smhd]?$/, message)
    .transform((value) => Number(value.replace(/[smhd]$/, '')) * (DURATION_UNITS[value.at(-1)!] ?? 1))
    .pipe(z.number().min(1, message).max(maxSeconds, message));
};
const optionalNonEmpty = () => z.string().trim().min(1, 'expected a value (unset the variable instead of leaving it empty)').optional();
const httpUrl = () =>
  z
    .url({ error: 'expected an absolute http(s) URL' })
    .regex(/^https?:\/\//, 'expected an absolute http(s) URL')
    .transform((value) => value.replace(/\/+$/, ''));

export const variablesSchema = z
  .object({
    NODE_ENV: z
      .enum(['development', 'production', 'test'], { error: 'expected development, production or test' })
      .default('development')
      .meta(meta({ description: '`production` refuses insecure defaults (see `portcullis doctor`).' })),
    PORTCULLIS_DATA_DIR: z
      .string()
      .min(1)
      .default('./.portcullis')
      .meta(
        meta({
          description: 'Embedded database (PGlite), generated secrets and the lock file. Created with mode 0700.',
          flag: '--data-dir',
        }),
      ),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL')
      .refine((value) => URL.canParse(value), 'expected a valid postgres:// URL (check the host, port and escaping of the password)')
      .optional()
      .meta(
        meta({
          description: 'PostgreSQL connection URL. Unset: embedded PGlite in the data dir.',
          defaultLabel: '(embedded)',
          secret: true,
          flag: '--database-url',
        }),
      ),
    DATABASE_POOL_MAX: positiveInt(200)
      .default(10)
      .meta(meta({ description: 'Maximum PostgreSQL connections per process.' })),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL')
      .refine((value) => URL.canParse(value), 'expected a valid redis:// URL (check the host, port and escaping of the password)')
      .optional()
      .meta(
        meta({
          description: 'Redis for rate limits, counters, caches and cross-replica events. Unset: in-memory (one process).',
          defaultLabel: '(in-memory)',
          secret: true,
        }),
      ),
    REDIS_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'expected 1-64 letters, digits or _ . : -')
      .default('portcullis:')
      .meta(meta({ description: 'Prefix of every Redis key and channel, so several deployments (or test runs) can share one Redis.' })),
    HOST: z
      .string()
      .min(1)
      .default('127.0.0.1')
      .meta(meta({ description: 'Interface both services listen on. Use `0.0.0.0` in containers.', flag: '--host' })),
    GATEWAY_PORT: port.default(4000).meta(meta({ description: 'Gateway (`/v1/*`) port.', flag: '--gateway-port' })),
    API_PORT: port.default(4001).meta(meta({ description: 'API (`/api/*`) and dashboard port.', flag: '--api-port' })),
    METRICS_PORT: port.optional().meta(
      meta({
        description:
          'Serve Prometheus `GET /metrics` on this port of HOST (nothing else there; the service ports answer 404). With METRICS_TOKEN, it asks for the token too (docs/observability.md).',
        defaultLabel: '(none)',
      }),
    ),
    METRICS_TOKEN: optionalNonEmpty().meta(
      meta({
        description:
          'Bearer token for `GET /metrics`. Without METRICS_PORT, /metrics is then served on each service port to `Authorization: Bearer <token>`; without either, it is not served. 32+ characters in production.',
        defaultLabel: '(none)',
        secret: true,
      }),
    ),
    PUBLIC_URL: z
      .url({ error: 'expected an absolute http(s) URL' })
      .regex(/^https?:\/\//, 'expected an absolute http(s) URL')
      .optional()
      .meta(
        meta({
          description: 'Public base URL of the dashboard, used in links (setup, invites).',
          defaultLabel: '`http://localhost:<API_PORT>`',
        }),
      ),
    GATEWAY_INTERNAL_URL: z
      .url({ error: 'expected an absolute http(s) URL' })
      .regex(/^https?:\/\//, 'expected an absolute http(s) URL')
      .optional()
      .meta(
        meta({
          description:
            'Where the api reaches the gateway server-side (provider-key "test connection"), e.g. `http://portcullis-gateway:4000` when they run as separate services. Unset: the gateway in the same process, if any.',
          defaultLabel: '(same process)',
        }),
      ),
    AUTH_SECRET: z
      .string()
      .min(32, 'expected at least 32 characters')
      .optional()
      .meta(
        meta({
          description:
            'Signs session cookies and other server-issued tokens (used by sign-in; see docs/security.md). Unset outside production: generated into the data dir.',
          defaultLabel: '(generated)',
          secret: true,
        }),
      ),
    AUTH_SECRET_PREVIOUS: z
      .string()
      .optional()
      .meta(
        meta({
          description:
            'Comma-separated earlier values of AUTH_SECRET, newest first, kept after a rotation to read what was made with them: two-factor secrets and backup codes (`portcullis keys rotate-auth-secret` re-encrypts those), recovery codes, and audit checkpoints (`audit verify`, restoring an older backup). Never used to sign or issue anything (see docs/security.md).',
          defaultLabel: '(none)',
          secret: true,
        }),
      ),
    SESSION_IDLE_TIMEOUT: duration(30 * 86_400)
      .default(12 * 3600)
      .meta(
        meta({
          description:
            'A signed-in session ends after this long without a request (seconds, or `30m`, `12h`, `7d`). At most SESSION_MAX_AGE.',
          defaultLabel: '`12h`',
        }),
      ),
    SESSION_MAX_AGE: duration(365 * 86_400)
      .default(7 * 86_400)
      .meta(
        meta({
          description: 'A signed-in session ends this long after sign-in however active it is (absolute expiry; seconds or `12h`, `7d`).',
          defaultLabel: '`7d`',
        }),
      ),
    WEBAUTHN_RP_ID: z
      .string()
      .trim()
      .toLowerCase()
      .regex(
        /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/,
        'expected a host name such as example.com (no scheme, port or path)',
      )
      .optional()
      .meta(
        meta({
          description:
            'Passkey (WebAuthn) relying-party id: the domain passkeys are bound to. Every WEBAUTHN_ORIGINS host must be it or a subdomain of it. Changing it orphans existing passkeys.',
          defaultLabel: 'the host name of PUBLIC_URL',
        }),
      ),
    WEBAUTHN_ORIGINS: z
      .string()
      .optional()
      .meta(
        meta({
          description: 'Comma-separated origins whose pages may register and use passkeys (checked against the signed client data).',
          defaultLabel: 'the origin of PUBLIC_URL',
        }),
      ),
    SMTP_URL: z
      .string()
      .trim()
      .regex(/^smtps?:\/\//, 'expected an smtp:// or smtps:// URL')
      .refine((value) => URL.canParse(value), 'expected a valid smtp:// URL (check the host, port and escaping of the password)')
      .optional()
      .meta(
        meta({
          description:
            'SMTP relay for invitations and password-reset mails, e.g. `smtps://user:password@smtp.example.com:465`. `smtp://` must offer STARTTLS unless the relay is on loopback. Unset: mails are written to the log in development and not sent in production.',
          defaultLabel: '(none)',
          secret: true,
        }),
      ),
    SMTP_FROM: z
      .string()
      .trim()
      .min(3)
      .max(200)
      .optional()
      .meta(
        meta({
          description: 'Sender of every mail, e.g. `Portcullis <no-reply@example.com>`.',
          defaultLabel: '`Portcullis <no-reply@<PUBLIC_URL host>>`',
        }),
      ),
    MASTER_KEY: z
      .string()
      .optional()
      .meta(
        meta({
          description:
            '32-byte key (base64, base64url or hex) that wraps every org data key. Unset outside production: generated into the data dir.',
          defaultLabel: '(generated)',
          secret: true,
        }),
      ),
    BACKUP_ENCRYPTION_KEY: z
      .string()
      .optional()
      .meta(
        meta({
          description:
            'Encrypts `portcullis backup` files (AES-256-GCM): 32 random bytes as base64 or 64 hex characters, different from MASTER_KEY. Unset: backup and restore refuse (see docs/backup.md).',
          defaultLabel: '(none)',
          secret: true,
        }),
      ),
    MASTER_KEY_PREVIOUS: z
      .string()
      .optional()
      .meta(
        meta({
          description:
            'Comma-separated earlier master keys, still accepted for unwrapping during a rotation (`portcullis keys rotate-master`); remove them once it has finished.',
          defaultLabel: '(none)',
          secret: true,
        }),
      ),
    MASTER_KEY_PROVIDER: z
      .enum(['local', 'vault-transit', 'aws-kms'], { error: 'expected local, vault-transit or aws-kms' })
      .default('local')
      .meta(
        meta({
          description:
            'What wraps the org data keys: `local` (MASTER_KEY, in this process), `vault-transit` (Vault Transit encrypt/decrypt; VAULT_ADDR, VAULT_TOKEN, MASTER_KEY_VAULT_KEY) or `aws-kms` (AWS KMS Encrypt/Decrypt; MASTER_KEY_AWS_KMS_KEY_ID). With a KMS, MASTER_KEY is only needed as the old key while `keys rotate-master` moves existing keys over.',
        }),
      ),
    MASTER_KEY_CACHE_SECONDS: decimal('expected whole seconds from 0 to 86400', 0, 86_400)
      .default(300)
      .meta(meta({ description: 'How long a data key unwrapped by the KMS stays in memory (0: every use calls the KMS).' })),
    MASTER_KEY_VAULT_MOUNT: optionalNonEmpty()
      .default('transit')
      .meta(meta({ description: 'Mount path of the Vault Transit engine (MASTER_KEY_PROVIDER=vault-transit).' })),
    MASTER_KEY_VAULT_KEY: optionalNonEmpty().meta(
      meta({
        description: 'Name of the Vault Transit key that wraps data keys (MASTER_KEY_PROVIDER=vault-transit).',
        defaultLabel: '(none)',
      }),
    ),
    MASTER_KEY_AWS_KMS_KEY_ID: optionalNonEmpty().meta(
      meta({
        description: 'AWS KMS key id, ARN or alias of a symmetric key that wraps data keys (MASTER_KEY_PROVIDER=aws-kms).',
        defaultLabel: '(none)',
      }),
    ),
    MASTER_KEY_AWS_KMS_ENDPOINT: httpUrl()
      .optional()
      .meta(
        meta({
          description:
            'Endpoint override for AWS KMS (MASTER_KEY_PROVIDER=aws-kms), e.g. a VPC endpoint. Region and credentials: the usual AWS environment (AWS_REGION, AWS_ACCESS_KEY_ID, …).',
          defaultLabel: '(AWS default)',
        }),
      ),
    GITHUB_CLIENT_ID: optionalNonEmpty().meta(
      meta({ description: 'GitHub OAuth app client id. With GITHUB_CLIENT_SECRET: "Sign in with GitHub".', defaultLabel: '(none)' }),
    ),
    GITHUB_CLIENT_SECRET: optionalNonEmpty().meta(
      meta({ description: 'GitHub OAuth app client secret.', defaultLabel: '(none)', secret: true }),
    ),
    GITHUB_BASE_URL: httpUrl()
      .default('https://github.com')
      .meta(meta({ description: 'GitHub web root (OAuth pages); for GitHub Enterprise Server, e.g. `https://github.example.com`.' })),
    GITHUB_API_URL: httpUrl()
      .optional()
      .meta(
        meta({
          description: 'GitHub REST API root.',
          defaultLabel: '`https://api.github.com`; `${GITHUB_BASE_URL}/api/v3` when GITHUB_BASE_URL is not github.com',
        }),
      ),
    GITHUB_ALLOWED_ORGS: optionalNonEmpty().meta(
      meta({
        description: 'Comma-separated GitHub organization logins: only their members may sign in with GitHub (asks for `read:org`).',
        defaultLabel: '(anyone)',
      }),
    ),
    GOOGLE_CLIENT_ID: optionalNonEmpty().meta(
      meta({ description: 'Google OAuth client id. With GOOGLE_CLIENT_SECRET: "Sign in with Google".', defaultLabel: '(none)' }),
    ),
    GOOGLE_CLIENT_SECRET: optionalNonEmpty().meta(
      meta({ description: 'Google OAuth client secret.', defaultLabel: '(none)', secret: true }),
    ),
    GOOGLE_ISSUER: httpUrl()
      .default('https://accounts.google.com')
      .meta(meta({ description: "Google's OpenID issuer (discovery and ID-token keys come from it); change only for tests." })),
    GOOGLE_ALLOWED_DOMAINS: optionalNonEmpty().meta(
      meta({
        description:
          'Comma-separated Google Workspace domains: only accounts whose signed ID token carries one of them as `hd` may sign in.',
        defaultLabel: '(any Google account)',
      }),
    ),
    OIDC_ISSUER: httpUrl()
      .optional()
      .meta(
        meta({
          description: 'OpenID Connect issuer URL (Okta, Entra ID, Keycloak, Auth0); its discovery document is read at start.',
          defaultLabel: '(none)',
        }),
      ),
    OIDC_CLIENT_ID: optionalNonEmpty().meta(
      meta({ description: 'OpenID Connect client id. With OIDC_CLIENT_SECRET and OIDC_ISSUER: single sign-on.', defaultLabel: '(none)' }),
    ),
    OIDC_CLIENT_SECRET: optionalNonEmpty().meta(
      meta({ description: 'OpenID Connect client secret.', defaultLabel: '(none)', secret: true }),
    ),
    OIDC_NAME: z
      .string()
      .trim()
      .min(1)
      .max(50)
      .default('single sign-on')
      .meta(meta({ description: 'Label of the OpenID Connect button ("Sign in with <OIDC_NAME>").' })),
    OIDC_GROUPS_CLAIM: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .default('groups')
      .meta(meta({ description: "ID-token claim listing the user's groups, mapped to org roles by each org's `oidcGroupRoles` setting." })),
    OIDC_SCOPES: z
      .string()
      .trim()
      .default('openid email profile')
      .transform((value) => [...new Set(['openid', ...value.split(/[\s,]+/).filter(Boolean)])])
      .pipe(
        z.array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,100}$/, 'scopes are printable ASCII without quotes or backslashes')).max(20),
      )
      .meta(
        meta({
          description:
            'Space-separated scopes asked of the OpenID Connect provider (`openid` is always included). Add e.g. `groups` where the IdP sends the groups claim only for that scope (Okta, Keycloak).',
          defaultLabel: 'openid email profile',
        }),
      ),
    CORS_ORIGINS: z
      .string()
      .optional()
      .meta(
        meta({
          description: 'Comma-separated origins allowed to call the api from a browser. `*` is refused in production.',
          defaultLabel: '(none)',
        }),
      ),
    GATEWAY_CORS_ORIGINS: z
      .string()
      .optional()
      .meta(
        meta({
          description:
            'Comma-separated origins allowed to call the gateway (`/v1`) from a browser. Off by default: `/v1` is for servers, and a browser would hold an API key.',
          defaultLabel: '(none)',
        }),
      ),
    TRUST_PROXY: z
      .string()
      .optional()
      .meta(
        meta({
          description:
            'Proxies whose `X-Forwarded-For` is believed: a hop count (`1`) or a comma-separated list of CIDRs. Never "everything".',
          defaultLabel: '(none)',
        }),
      ),
    TLS_CERT_FILE: optionalNonEmpty().meta(
      meta({ description: 'PEM certificate: serve HTTPS directly (with TLS_KEY_FILE).', defaultLabel: '(none)' }),
    ),
    TLS_KEY_FILE: optionalNonEmpty().meta(meta({ description: 'PEM private key for TLS_CERT_FILE.', defaultLabel: '(none)' })),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        error: 'expected fatal, error, warn, info, debug, trace or silent',
      })
      .default('info')
      .meta(meta({ description: 'Log verbosity (JSON lines on stdout).', flag: '--log-level' })),
    GATEWAY_MAX_BODY_BYTES: positiveInt(100 * 1024 * 1024)
      .default(10 * 1024 * 1024)
      .meta(meta({ description: 'Largest request body the gateway accepts (413 above).' })),
    GATEWAY_MAX_IN_FLIGHT: positiveInt(1_000_000)
      .default(1_000)
      .meta(
        meta({
          description:
            '/v1 requests one gateway process serves at once (streams until they end); more get 503 `server_overloaded` with Retry-After, before authentication (docs/scaling.md).',
        }),
      ),
    GUARDRAIL_SCAN_WORKERS: decimal('expected a whole number from 0 to 16', 0, 16)
      .default(2)
      .meta(
        meta({
          description:
            'Worker threads in which the gateway scans texts of 64K characters or more, so a long prompt does not hold every other request while it is read (docs/guardrails.md#speed); 0 scans everything on the event loop.',
        }),
      ),
    API_MAX_BODY_BYTES: positiveInt(100 * 1024 * 1024)
      .default(1024 * 1024)
      .meta(meta({ description: 'Largest request body the api accepts (413 above).' })),
    RETENTION_INTERVAL_SECONDS: positiveInt(604_800)
      .default(3_600)
      .meta(
        meta({
          description:
            'How often the api process applies retention (audit events by plan, request logs and bodies per org), in batches; several replicas may run it.',
        }),
      ),
    ORG_DELETION_GRACE_DAYS: decimal('expected a whole number from 0 to 365', 0, 365)
      .default(30)
      .meta(
        meta({
          description:
            'Days between an owner deleting an org and its purge (data keys destroyed); the owner may cancel meanwhile, and the org’s API keys are refused. 0: purged at the next retention run.',
        }),
      ),
    SIEM_WEBHOOK_URL: httpUrl()
      .optional()
      .meta(
        meta({
          description:
            'Deliver every audit event (all orgs and the instance chain, in order per chain, at least once) to this webhook as signed JSON batches. https, or http only when private provider URLs are allowed; the same address checks as provider URLs. Needs SIEM_WEBHOOK_SECRET.',
          defaultLabel: '(none)',
        }),
      ),
    SIEM_WEBHOOK_SECRET: optionalNonEmpty().meta(
      meta({
        description: 'Key of the HMAC-SHA256 `x-portcullis-signature` on SIEM webhook batches (at least 32 characters).',
        defaultLabel: '(none)',
        secret: true,
      }),
    ),
    SIEM_STDOUT: z
      .enum(['true', 'false'], { error: 'expected true or false' })
      .default('false')
      .meta(
        meta({
          description:
            'Write every audit event to stdout as one `{"type":"audit_event",…}` JSON line, for log shippers (at least once, in order per chain).',
        }),
      ),
    SHUTDOWN_TIMEOUT_MS: positiveInt(600_000)
      .default(10_000)
      .meta(meta({ description: 'On SIGINT/SIGTERM, how long in-flight requests may finish before connections are closed.' })),
    ALLOW_PRIVATE_PROVIDER_URLS: z
      .enum(['true', 'false'], { error: 'expected true or false' })
      .optional()
      .meta(
        meta({
          description:
            'Allow provider base URLs on loopback or private networks (local models, tests), and plain http. When false, provider URLs must be https. Link-local and cloud-metadata addresses are always refused.',
          defaultLabel: '`true` outside production, `false` in production',
        }),
      ),
    SECRETS_REFRESH_SECONDS: decimal('expected a whole number of seconds from 0 (off) to 86400', 0, 86_400)
      .default(300)
      .meta(
        meta({
          description:
            'How often secret references (`vault://`, `aws-sm://`, `gcp-sm://`, `azure-kv://`) are resolved again; 0 turns refresh off (see docs/secrets.md).',
        }),
      ),
    VAULT_ADDR: httpUrl()
      .optional()
      .meta(
        meta({
          description: 'HashiCorp Vault address for `vault://` references, e.g. `https://vault.internal:8200`.',
          defaultLabel: '(none)',
        }),
      ),
    VAULT_TOKEN: optionalNonEmpty().meta(
      meta({ description: 'Vault token for `vault://` references (unless VAULT_K8S_ROLE is set).', defaultLabel: '(none)', secret: true }),
    ),
    VAULT_NAMESPACE: optionalNonEmpty().meta(
      meta({ description: 'Vault Enterprise namespace (`X-Vault-Namespace`) for `vault://` references.', defaultLabel: '(none)' }),
    ),
    VAULT_K8S_ROLE: optionalNonEmpty().meta(
      meta({
        description: "Vault Kubernetes auth role: log in with the pod's service-account token instead of VAULT_TOKEN.",
        defaultLabel: '(none)',
      }),
    ),
    VAULT_K8S_MOUNT: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/, 'expected a Vault auth mount path such as kubernetes')
      .default('kubernetes')
      .meta(meta({ description: "Mount path of Vault's Kubernetes auth method (`/v1/auth/<mount>/login`)." })),
    VAULT_K8S_TOKEN_FILE: z
      .string()
      .min(1)
      .default('/var/run/secrets/kubernetes.io/serviceaccount/token')
      .meta(meta({ description: "Service-account token presented to Vault's Kubernetes auth (re-read at every login)." })),
    SECRETS_AWS_ENDPOINT: httpUrl()
      .optional()
      .meta(
        meta({
          description:
            'Endpoint override for AWS Secrets Manager (`aws-sm://`), e.g. a VPC endpoint. Region and credentials: the usual AWS environment (AWS_REGION, AWS_ACCESS_KEY_ID, …).',
          defaultLabel: '(AWS default)',
        }),
      ),
    SECRETS_GCP_ENDPOINT: httpUrl()
      .optional()
      .meta(
        meta({
          description: 'Endpoint override for Google Secret Manager (`gcp-sm://`), called over REST.',
          defaultLabel: '(Google default)',
        }),
      ),
    SECRETS_GCP_ACCESS_TOKEN: optionalNonEmpty().meta(
      meta({
        description:
          'OAuth access token for Google Secret Manager. Unset: Application Default Credentials (workload identity, metadata server).',
        defaultLabel: '(ADC)',
        secret: true,
      }),
    ),
    SECRETS_AZURE_VAULT_URL: z
      .string()
      .regex(/^https:\/\/[^\s]*\{vault\}[^\s]*$/, 'expected an https:// URL template containing {vault}')
      .default('https://{vault}.vault.azure.net')
      .meta(meta({ description: 'Azure Key Vault URL template for `azure-kv://` references; `{vault}` is the vault name.' })),
    AZURE_AUTHORITY_HOST: httpUrl()
      .optional()
      .meta(
        meta({
          description:
            'Microsoft Entra authority for Key Vault credentials (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, or managed identity).',
          defaultLabel: '(Azure public cloud)',
        }),
      ),
    UPSTREAM_TIMEOUT_MS: positiveInt(3_600_000)
      .default(600_000)
      .meta(
        meta({
          description: 'Longest an upstream provider call may take, streamed or not, before it is abandoned (and a fallback tried).',
        }),
      ),
    REQUEST_TIMEOUT_MS: positiveInt(3_600_000)
      .default(900_000)
      .meta(
        meta({
          description:
            'Longest a whole /v1 request may spend on providers, retries, backoff and fallbacks included; each attempt gets at most what is left (and at most UPSTREAM_TIMEOUT_MS).',
        }),
      ),
    // OpenTelemetry tracing (docs/observability.md): the standard OTel names, so an operator's
    // existing settings work. Tracing is off unless one of the two endpoints is set.
    OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl()
      .optional()
      .meta(
        meta({
          description:
            'OpenTelemetry collector base URL (OTLP/HTTP, JSON): traces go to `<url>/v1/traces`. Set (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) to turn tracing on.',
          defaultLabel: '(tracing off)',
        }),
      ),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl()
      .optional()
      .meta(
        meta({
          description: 'Full OTLP/HTTP traces URL, used as is; takes precedence over OTEL_EXPORTER_OTLP_ENDPOINT.',
          defaultLabel: '(none)',
        }),
      ),
    OTEL_EXPORTER_OTLP_HEADERS: optionalNonEmpty().meta(
      meta({
        description:
          'Headers sent to the collector, `name=value` pairs separated by commas (values percent-encoded), e.g. an API key of a hosted collector.',
        defaultLabel: '(none)',
        secret: true,
      }),
    ),
    OTEL_SERVICE_NAME: optionalNonEmpty().meta(
      meta({ description: 'The `service.name` of exported spans.', defaultLabel: '`portcullis-gateway` / `portcullis-api`' }),
    ),
    OTEL_TRACES_SAMPLER_ARG: z
      .string({ error: 'expected a ratio from 0 to 1' })
      .trim()
      .regex(/^(?:0(?:\.\d+)?|1(?:\.0+)?|\.\d+)$/, 'expected a ratio from 0 to 1')
      .transform(Number)
      .default(1)
      .meta(
        meta({
          description:
            'Share of new traces sampled (0 to 1). A trace continued from a caller’s `traceparent` follows the caller’s sampling decision.',
        }),
      ),
  })
  .strict();

export type RawVariables = z.output<typeof variablesSchema>;
export type VariableName = keyof typeof variablesSchema.shape;

export const VARIABLE_NAMES = Object.keys(variablesSchema.shape) as VariableName[];

export function variableMeta(name: VariableName): VariableMeta {
  const found = z.globalRegistry.get(variablesSchema.shape[name]) as VariableMeta | undefined;
  if (!found) throw new Error(`variable ${name} has no metadata`);
  return found;
}

export function isVariableName(name: string): name is VariableName {
  return Object.hasOwn(variablesSchema.shape, name);
}
