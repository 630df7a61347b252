/**
 * Ed25519 signatures on audit checkpoints (what retention pruning removed from a chain). The key
 * is derived (HKDF) from the instance's AUTH_SECRET, so every replica signs with the same key and
 * nothing new has to be stored; its public half is served by the api (`GET …/audit/head`) for
 * anyone who wants to check a checkpoint without trusting the database.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { deriveKey } from '../crypto/derive-key.js';

export type Checkpoint = { chain: string; seq: number; hash: string; prunedAt: Date };

// PKCS#8 wrapping of a raw 32-byte Ed25519 seed (RFC 8410).
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The signed bytes: a JSON array, so no field can be confused with another. */
export function checkpointPayload(checkpoint: Checkpoint): Buffer {
  return Buffer.from(JSON.stringify([checkpoint.chain, checkpoint.seq, checkpoint.hash, checkpoint.prunedAt.toISOString()]), 'utf8');
}

export type CheckpointSigner = {
  keyId: string;
  /** SPKI PEM of the verification key. */
  publicKeyPem: string;
  sign(checkpoint: Checkpoint): string;
  verify(checkpoint: Checkpoint, signature: string): boolean;
};

function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

export function createCheckpointSigner(instanceSecret: string): CheckpointSigner {
  const seed = deriveKey(instanceSecret, 'audit-checkpoint-signing');
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey);
  return {
    keyId: keyIdOf(publicKey),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    sign: (checkpoint) => sign(null, checkpointPayload(checkpoint), privateKey).toString('base64'),
    verify: verifierOf(publicKey),
  };
}

function verifierOf(publicKey: KeyObject): CheckpointSigner['verify'] {
  return (checkpoint, signature) => {
    try {
      return verify(null, checkpointPayload(checkpoint), publicKey, Buffer.from(signature, 'base64'));
    } catch {
      return false;
    }
  };
}

/**
 * The verifiers of checkpoints signed under this AUTH_SECRET or an earlier one
 * (AUTH_SECRET_PREVIOUS): after a rotation the latest checkpoint is still the old key's.
 */
export function checkpointVerifiers(instanceSecret: string, previousSecrets: readonly string[]): CheckpointSigner[] {
  return [instanceSecret, ...previousSecrets].map(createCheckpointSigner);
}

/** Only what verifiers need: the key id and the SPKI PEM. */
export function publicCheckpointKey(instanceSecret: string): { keyId: string; publicKeyPem: string } {
  const { keyId, publicKeyPem } = createCheckpointSigner(instanceSecret);
  return { keyId, publicKeyPem };
}

/** Checks checkpoints with the public half only (the api holds no signing key it does not need). */
export function checkpointVerifierFromPublicKey(key: { keyId: string; publicKeyPem: string }): Pick<CheckpointSigner, 'keyId' | 'verify'> {
  return { keyId: key.keyId, verify: verifierOf(createPublicKey(key.publicKeyPem)) };
}
