import { describe, expect, it } from 'vitest';
import { DecryptionError } from '../crypto/aead.js';
import { generateDataKey, generateMasterKey, parseMasterKey } from '../crypto/envelope.js';
import { createMasterKeyring } from '../crypto/master-keyring.js';
import {
  hashUnlinkedPersonal,
  revealDiff,
  revealPersonal,
  sealPersonal,
  sealedOwner,
  sealedOwnersOf,
  unwrapUserKey,
  wrapUserKey,
} from './personal-data.js';

const alice = 'user_alice';
const bob = 'user_bob';
const aliceKey = generateDataKey();
const bobKey = generateDataKey();

describe('sealed personal values', () => {
  it('open with their owner’s key, for the field they were sealed for, and never show the value at rest', () => {
    const sealed = sealPersonal(aliceKey, alice, 'actor_ip', '203.0.113.9');
    expect(sealed).toMatch(/^pd1:user_alice:[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('203.0.113.9');
    expect(sealedOwner(sealed)).toBe(alice);
    expect(revealPersonal(new Map([[alice, aliceKey]]), 'actor_ip', sealed)).toEqual({ value: '203.0.113.9', erased: false });
    // Moved to another column, or relabelled as another user's, it does not open: tampering, not erasure.
    expect(() => revealPersonal(new Map([[alice, aliceKey]]), 'user_agent', sealed)).toThrow(DecryptionError);
    const relabelled = sealed.replace('pd1:user_alice:', 'pd1:user_bob:');
    expect(() => revealPersonal(new Map([[bob, bobKey]]), 'actor_ip', relabelled)).toThrow(DecryptionError);
  });

  it('read as erased once the owner’s key is gone; plain values pass through', () => {
    const sealed = sealPersonal(aliceKey, alice, 'diff.email', 'alice@example.test');
    expect(revealPersonal(new Map(), 'diff.email', sealed)).toEqual({ value: null, erased: true });
    expect(revealPersonal(new Map(), 'actor_ip', '198.51.100.1')).toEqual({ value: '198.51.100.1', erased: false });
    expect(revealPersonal(new Map(), 'actor_ip', null)).toEqual({ value: null, erased: false });
  });

  it('in a diff, only the owners whose keys are given are opened', () => {
    const diff = {
      role: 'admin',
      email: sealPersonal(bobKey, bob, 'diff.email', 'bob@example.test'),
      name: sealPersonal(aliceKey, alice, 'diff.name', 'Alice'),
    };
    expect(sealedOwnersOf([{ actorIp: null, userAgent: null, diff }])).toEqual(new Set([bob, alice]));
    expect(revealDiff(new Map([[alice, aliceKey]]), diff)).toEqual({ role: 'admin', email: null, name: 'Alice' });
  });
});

describe('user keys and unlinked values', () => {
  it('wraps a user key under the master key, bound to the user', () => {
    const master = parseMasterKey(generateMasterKey());
    const wrapped = wrapUserKey(master, alice, aliceKey);
    expect(unwrapUserKey(master, alice, wrapped).equals(aliceKey)).toBe(true);
    expect(() => unwrapUserKey(master, bob, wrapped)).toThrow(DecryptionError);
  });

  it('hashes a value about nobody with an account, the same way for the same address in any case', () => {
    const keyring = createMasterKeyring(parseMasterKey(generateMasterKey()));
    const hashed = hashUnlinkedPersonal(keyring, 'Invitee@Example.test');
    expect(hashed).toMatch(/^h1:[0-9a-f]{64}$/);
    expect(hashUnlinkedPersonal(keyring, 'invitee@example.test ')).toBe(hashed);
    expect(hashUnlinkedPersonal(createMasterKeyring(parseMasterKey(generateMasterKey())), 'invitee@example.test')).not.toBe(hashed);
  });
});
