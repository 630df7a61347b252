/**
 * What the session store needs to know about the request that is using it, carried in
 * AsyncLocalStorage because better-auth calls the adapter without passing the request along:
 * the client address and user agent as Portcullis determined them (TRUST_PROXY-aware, unlike
 * better-auth's own header guess), the request id, and which audit action a session deletion
 * stands for in this request (sign-out is `auth.logout`; an expired session cleaned up while
 * reading it is no event at all).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AuditAction } from '../audit/actions.js';

export type IdentityRequestContext = {
  clientIp: string | null;
  userAgent: string | null;
  requestId: string | null;
  /** Set by routes whose purpose is ending a session; deletions elsewhere are not audited as events. */
  sessionDeleteAction?: Extract<AuditAction, 'auth.logout' | 'session.revoked'>;
  /**
   * A password sign-in: the session it creates is not a sign-in (not audited as `auth.login`)
   * when the user has two-factor on, as the two-factor plugin deletes it at once and asks for a code.
   */
  firstFactor?: boolean;
  /** Enabling or disabling two-factor replaces the current session with a new one: no new sign-in. */
  sessionRotation?: boolean;
};

const store = new AsyncLocalStorage<IdentityRequestContext>();

export function runWithIdentityContext<T>(context: IdentityRequestContext, fn: () => T): T {
  return store.run(context, fn);
}

export function identityContext(): IdentityRequestContext | undefined {
  return store.getStore();
}
