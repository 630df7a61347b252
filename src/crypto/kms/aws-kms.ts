/**
 * MASTER_KEY_PROVIDER=aws-kms: AWS KMS Encrypt / Decrypt / ReEncrypt with a symmetric key; the key
 * never leaves KMS. The context goes into KMS's EncryptionContext (so CloudTrail shows which org
 * and data key every Decrypt was for, and KMS refuses a mismatched one). The SDK is imported on
 * first use, so installs on the local provider never load it. Credentials and region come from
 * the SDK's usual chain (AWS_REGION, AWS_ACCESS_KEY_ID, instance or pod roles, …).
 *
 * Stored bytes: KMS's CiphertextBlob, which names the key (and its backing-key version) itself.
 */
import type * as KmsSdk from '@aws-sdk/client-kms';
import { DecryptionError } from '../aead.js';
import { KmsUnavailableError, type KeyWrapper, type WrapContext } from './key-wrapper.js';

export type AwsKmsOptions = { keyId: string; region?: string; endpoint?: string; timeoutMs?: number };

const PROVIDER = 'aws-kms';
const ID_PREFIX = `${PROVIDER}:`;

export function awsKmsId(keyId: string): string {
  return `${ID_PREFIX}${keyId}`;
}

/** The KMS key id of a stored `aws-kms:<key id>` id, or undefined for another provider's id. */
export function awsKmsKeyOf(id: string): string | undefined {
  return id.startsWith(ID_PREFIX) && id.length > ID_PREFIX.length ? id.slice(ID_PREFIX.length) : undefined;
}

function encryptionContext(context: WrapContext): Record<string, string> {
  return Object.fromEntries(context);
}

/** KMS's error type names are safe and useful to quote; messages may carry anything. */
function failure(operation: string, error: unknown): Error {
  const name = error instanceof Error ? error.name : 'Error';
  // Wrong context, wrong key or a tampered blob: KMS does not say which, neither do we.
  if (name === 'InvalidCiphertextException' || name === 'IncorrectKeyException') return new DecryptionError();
  const hint = name === 'AccessDeniedException' ? ' (check the credentials and the key policy)' : '';
  return new KmsUnavailableError(PROVIDER, operation, `${name}${hint}`);
}

type KmsModule = typeof KmsSdk;
type Client = { module: KmsModule; client: InstanceType<KmsModule['KMSClient']> };

export function createAwsKmsWrapper(options: AwsKmsOptions): KeyWrapper {
  let client: Promise<Client> | undefined;
  const connect = (): Promise<Client> =>
    (client ??= import('@aws-sdk/client-kms').then((module) => ({
      module,
      client: new module.KMSClient({
        ...(options.region ? { region: options.region } : {}),
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        maxAttempts: 2,
      }),
    })));
  const abort = () => ({ abortSignal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });

  return {
    id: awsKmsId(options.keyId),
    async wrap(plaintext, context) {
      const { module, client } = await connect();
      try {
        const out = await client.send(
          new module.EncryptCommand({ KeyId: options.keyId, Plaintext: plaintext, EncryptionContext: encryptionContext(context) }),
          abort(),
        );
        if (!out.CiphertextBlob) throw new KmsUnavailableError(PROVIDER, 'encrypt', 'no CiphertextBlob in the response');
        return Buffer.from(out.CiphertextBlob);
      } catch (error) {
        throw error instanceof KmsUnavailableError ? error : failure('encrypt', error);
      }
    },
    async unwrap(wrapped, context) {
      const { module, client } = await connect();
      try {
        // KeyId pins the key: a blob made under any other key is refused rather than decrypted.
        const out = await client.send(
          new module.DecryptCommand({ KeyId: options.keyId, CiphertextBlob: wrapped, EncryptionContext: encryptionContext(context) }),
          abort(),
        );
        if (!out.Plaintext) throw new KmsUnavailableError(PROVIDER, 'decrypt', 'no Plaintext in the response');
        const plaintext = Buffer.from(out.Plaintext);
        out.Plaintext.fill(0);
        return plaintext;
      } catch (error) {
        throw error instanceof KmsUnavailableError ? error : failure('decrypt', error);
      }
    },
    // ReEncrypt: decrypted and encrypted again inside KMS, under the key's current backing key.
    async rewrap(wrapped, context) {
      const { module, client } = await connect();
      try {
        const ctx = encryptionContext(context);
        const out = await client.send(
          new module.ReEncryptCommand({
            CiphertextBlob: wrapped,
            SourceKeyId: options.keyId,
            SourceEncryptionContext: ctx,
            DestinationKeyId: options.keyId,
            DestinationEncryptionContext: ctx,
          }),
          abort(),
        );
        if (!out.CiphertextBlob) throw new KmsUnavailableError(PROVIDER, 'rewrap', 'no CiphertextBlob in the response');
        return Buffer.from(out.CiphertextBlob);
      } catch (error) {
        throw error instanceof KmsUnavailableError ? error : failure('rewrap', error);
      }
    },
  };
}
