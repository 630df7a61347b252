/**
 * How to reach each secret manager: the SECRETS_* / VAULT_* / AZURE_AUTHORITY_HOST variables (from
 * the zod schema, so flags, env, NAME_FILE and .env all work for them), plus the cloud SDKs' usual
 * environment variables (AWS_REGION, AWS_ACCESS_KEY_ID, AZURE_TENANT_ID, …), read from the same
 * environment the configuration came from.
 */
import { variablesSchema } from '../config/variables.js';

export type SecretManagerSettings = {
  vault: { addr: string | undefined; token: string | undefined; namespace: string | undefined; k8s: VaultKubernetesAuth | undefined };
  aws: {
    endpoint: string | undefined;
    region: string | undefined;
    /** Undefined: the SDK's default chain (web identity, container or instance role, …). */
    credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
  };
  gcp: { endpoint: string | undefined; accessToken: string | undefined };
  azure: {
    /** Template with `{vault}`. */
    vaultUrl: string;
    authorityHost: string | undefined;
    /** Undefined: DefaultAzureCredential (managed identity, workload identity, …). */
    clientSecret: { tenantId: string; clientId: string; clientSecret: string } | undefined;
  };
};

export type VaultKubernetesAuth = { role: string; mount: string; tokenFile: string };

const settingsSchema = variablesSchema.pick({
  VAULT_ADDR: true,
  VAULT_TOKEN: true,
  VAULT_NAMESPACE: true,
  VAULT_K8S_ROLE: true,
  VAULT_K8S_MOUNT: true,
  VAULT_K8S_TOKEN_FILE: true,
  SECRETS_AWS_ENDPOINT: true,
  SECRETS_GCP_ENDPOINT: true,
  SECRETS_GCP_ACCESS_TOKEN: true,
  SECRETS_AZURE_VAULT_URL: true,
  AZURE_AUTHORITY_HOST: true,
});

/** The variables that configure the secret managers: they cannot themselves be references. */
export const SECRET_MANAGER_VARIABLES = Object.keys(settingsSchema.shape) as (keyof typeof settingsSchema.shape)[];

export type SettingsResult = { ok: true; settings: SecretManagerSettings } | { ok: false; problems: string[] };

const nonEmpty = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value.trim());

export function parseSecretManagerSettings(values: Record<string, string>, env: Record<string, string | undefined>): SettingsResult {
  const picked = Object.fromEntries(
    SECRET_MANAGER_VARIABLES.filter((name) => values[name] !== undefined).map((name) => [name, values[name]]),
  );
  const parsed = settingsSchema.safeParse(picked);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => `${String(i.path[0] ?? '(config)')}: ${i.message}`) };
  const raw = parsed.data;
  const accessKeyId = nonEmpty(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = nonEmpty(env.AWS_SECRET_ACCESS_KEY);
  const sessionToken = nonEmpty(env.AWS_SESSION_TOKEN);
  const tenantId = nonEmpty(env.AZURE_TENANT_ID);
  const clientId = nonEmpty(env.AZURE_CLIENT_ID);
  const clientSecret = nonEmpty(env.AZURE_CLIENT_SECRET);
  return {
    ok: true,
    settings: {
      vault: {
        addr: raw.VAULT_ADDR,
        token: raw.VAULT_TOKEN,
        namespace: raw.VAULT_NAMESPACE,
        k8s: raw.VAULT_K8S_ROLE ? { role: raw.VAULT_K8S_ROLE, mount: raw.VAULT_K8S_MOUNT, tokenFile: raw.VAULT_K8S_TOKEN_FILE } : undefined,
      },
      aws: {
        endpoint: raw.SECRETS_AWS_ENDPOINT,
        region: nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION),
        credentials:
          accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } : undefined,
      },
      gcp: { endpoint: raw.SECRETS_GCP_ENDPOINT, accessToken: raw.SECRETS_GCP_ACCESS_TOKEN },
      azure: {
        vaultUrl: raw.SECRETS_AZURE_VAULT_URL,
        authorityHost: raw.AZURE_AUTHORITY_HOST,
        clientSecret: tenantId && clientId && clientSecret ? { tenantId, clientId, clientSecret } : undefined,
      },
    },
  };
}

/** Credentials read here are secrets like any other: the log scrubber must know them. */
export function settingsSecrets(settings: SecretManagerSettings): string[] {
  return [
    settings.vault.token,
    settings.aws.credentials?.secretAccessKey,
    settings.aws.credentials?.sessionToken,
    settings.gcp.accessToken,
    settings.azure.clientSecret?.clientSecret,
  ].filter((v): v is string => v !== undefined);
}
