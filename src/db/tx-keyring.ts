/**
 * The master keyring a transaction's writes may seal personal data with. A scoped database
 * created with a keyring binds it to each transaction it opens, so `recordAudit(tx, …)` can seal
 * the actor's IP and user agent under that user's key without every one of its callers passing
 * the keyring down. A transaction of a handle made without one (the gateway's) has none, and an
 * audit event carrying personal data is then refused rather than stored in clear.
 */
import type { MasterKeyring } from '../crypto/master-keyring.js';
import type { Tx } from './types.js';

const keyrings = new WeakMap<Tx, MasterKeyring>();

export function bindKeyring(tx: Tx, keyring: MasterKeyring): void {
  keyrings.set(tx, keyring);
}

export function keyringOf(tx: Tx): MasterKeyring | undefined {
  return keyrings.get(tx);
}
