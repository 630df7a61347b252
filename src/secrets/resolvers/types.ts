import type { SecretReference, SecretScheme } from '../reference.js';

/** Fetches the secret text a reference names (before #field selection for all but Vault). */
export type SchemeResolver<S extends SecretScheme> = (ref: Extract<SecretReference, { scheme: S }>) => Promise<string>;
