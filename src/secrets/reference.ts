/**
 * Secret references: a configuration value that names where a secret lives instead of holding it.
 * Parsing is strict so that a typo fails at start-up with the expected shape, not as a confusing
 * "not found" from a remote service. A malformed reference is described by its scheme and the rule
 * it broke, never echoed: whatever was pasted after the scheme may itself be a secret.
 */
export type SecretReference =
  | { scheme: 'vault'; mount: string; path: string; field: string | undefined }
  | { scheme: 'aws-sm'; secretId: string; field: string | undefined }
  | { scheme: 'gcp-sm'; project: string; secret: string; version: string; field: string | undefined }
  | { scheme: 'azure-kv'; vault: string; name: string; version: string | undefined; field: string | undefined };

export type SecretScheme = SecretReference['scheme'];

const SCHEMES: readonly SecretScheme[] = ['vault', 'aws-sm', 'gcp-sm', 'azure-kv'];

const SHAPES: Record<SecretScheme, string> = {
  vault: 'vault://mount/path[#field]',
  'aws-sm': 'aws-sm://secret-id-or-arn[#field]',
  'gcp-sm': 'gcp-sm://projects/PROJECT/secrets/SECRET[/versions/VERSION][#field]',
  'azure-kv': 'azure-kv://vault-name/secret-name[/version][#field]',
};

export class SecretReferenceError extends Error {
  constructor(
    readonly scheme: SecretScheme,
    reason: string,
  ) {
    super(`malformed ${scheme}:// reference (expected ${SHAPES[scheme]}): ${reason}`);
    this.name = 'SecretReferenceError';
  }
}

const FIELD = /^[A-Za-z0-9_.-]+$/;
const VAULT_SEGMENT = /^[A-Za-z0-9_.-]+$/;
// Secrets Manager names allow these characters; an ARN adds the colons.
const AWS_SECRET_ID = /^[A-Za-z0-9/_+=.@:-]{1,2048}$/;
const GCP = /^projects\/([a-z0-9][a-z0-9-]{0,62})\/secrets\/([A-Za-z0-9_-]{1,255})(?:\/versions\/(latest|[1-9][0-9]*))?$/;
const AZURE_VAULT = /^[A-Za-z][A-Za-z0-9-]{1,22}[A-Za-z0-9]$/;
const AZURE_NAME = /^[A-Za-z0-9-]{1,127}$/;
const AZURE_VERSION = /^[A-Za-z0-9]{1,64}$/;

/** The scheme when `value` is meant as a reference (starts with a known `scheme://`), else undefined. */
export function referenceScheme(value: string): SecretScheme | undefined {
  return SCHEMES.find((scheme) => value.startsWith(`${scheme}://`));
}

export function isSecretReference(value: string): boolean {
  return referenceScheme(value) !== undefined;
}

/** Parses a reference; throws SecretReferenceError when it starts with a known scheme but is malformed. */
export function parseSecretReference(value: string): SecretReference {
  const scheme = referenceScheme(value);
  if (!scheme) throw new Error('not a secret reference');
  const rest = value.slice(scheme.length + 3);
  const hash = rest.indexOf('#');
  const body = hash === -1 ? rest : rest.slice(0, hash);
  const field = hash === -1 ? undefined : rest.slice(hash + 1);
  if (field !== undefined && !FIELD.test(field)) throw new SecretReferenceError(scheme, 'the #field must be letters, digits, _ . or -');
  if (body === '') throw new SecretReferenceError(scheme, 'nothing after the scheme');
  switch (scheme) {
    case 'vault': {
      const segments = body.split('/');
      if (segments.length < 2) throw new SecretReferenceError(scheme, 'expected a mount and a path');
      if (!segments.every((s) => VAULT_SEGMENT.test(s) && s !== '.' && s !== '..'))
        throw new SecretReferenceError(scheme, 'each path segment must be non-empty letters, digits, _ . or -');
      return { scheme, mount: segments[0]!, path: segments.slice(1).join('/'), field };
    }
    case 'aws-sm':
      if (!AWS_SECRET_ID.test(body))
        throw new SecretReferenceError(scheme, 'the secret id may hold only letters, digits and / _ + = . @ : -');
      return { scheme, secretId: body, field };
    case 'gcp-sm': {
      const match = GCP.exec(body);
      if (!match)
        throw new SecretReferenceError(scheme, 'expected projects/PROJECT/secrets/SECRET with an optional /versions/N or /versions/latest');
      return { scheme, project: match[1]!, secret: match[2]!, version: match[3] ?? 'latest', field };
    }
    case 'azure-kv': {
      const [vault = '', name = '', version, ...extra] = body.split('/');
      if (extra.length > 0) throw new SecretReferenceError(scheme, 'too many path segments');
      if (!AZURE_VAULT.test(vault)) throw new SecretReferenceError(scheme, 'the vault name must be 3-24 letters, digits or -');
      if (!AZURE_NAME.test(name)) throw new SecretReferenceError(scheme, 'the secret name must be 1-127 letters, digits or -');
      if (version !== undefined && !AZURE_VERSION.test(version))
        throw new SecretReferenceError(scheme, 'the version must be letters and digits');
      return { scheme, vault, name, version, field };
    }
  }
}

/** The canonical text of a reference: safe to log and to put in errors (it names a location, not a value). */
export function describeReference(ref: SecretReference): string {
  const field = ref.field === undefined ? '' : `#${ref.field}`;
  switch (ref.scheme) {
    case 'vault':
      return `vault://${ref.mount}/${ref.path}${field}`;
    case 'aws-sm':
      return `aws-sm://${ref.secretId}${field}`;
    case 'gcp-sm':
      return `gcp-sm://projects/${ref.project}/secrets/${ref.secret}/versions/${ref.version}${field}`;
    case 'azure-kv':
      return `azure-kv://${ref.vault}/${ref.name}${ref.version === undefined ? '' : `/${ref.version}`}${field}`;
  }
}
