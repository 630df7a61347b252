import type { AuditActor } from './record.js';

/** Who is acting and on behalf of which request: passed to every state-changing operation. */
export type ActionContext = { actor: AuditActor; requestId: string | null };

export function systemActor(component: 'cli' | 'server', host: string): AuditActor {
  return { type: 'system', id: `${component}@${host}`, ip: null, userAgent: null };
}
