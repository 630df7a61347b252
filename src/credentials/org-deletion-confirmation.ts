/**
 * What a person must type to delete an org (or schedule its deletion): its exact name, case
 * included — a typed-out name, not a lookup, so a wrong tab or a pasted id cannot destroy an org.
 * The purge job has no such check: the deletion it carries out was confirmed when it was scheduled.
 */
import { badRequest } from '../http/errors.js';
import type { DeletionPrecondition } from './org-deletion.js';

export function assertExactOrgName(name: string, confirm: string): void {
  if (confirm !== name)
    throw badRequest("The confirmation must be the organization's exact name (case included).", 'confirmation_mismatch');
}

/** The precondition of a deletion someone asked for: the exact name, then go ahead. */
export function confirmedByName(confirm: string): DeletionPrecondition {
  return (org) => {
    assertExactOrgName(org.name, confirm);
    return true;
  };
}
