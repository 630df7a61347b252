/**
 * The security-alerts service one process holds: signals in, alerts out. `notify` never throws and
 * never makes its caller wait — an alert is a side effect of something that already committed, and
 * neither a slow webhook nor a store outage may delay or fail that request. Errors are logged by
 * name only.
 */
import { randomUUID } from 'node:crypto';
import type { MasterKeyring } from '../crypto/master-keyring.js';
import type { ScopedDatabase } from '../db/tenant.js';
import type { Mailer } from '../email/mailer.js';
import type { Logger } from '../logging/logger.js';
import type { Store } from '../store/store.js';
import { getOrganization } from '../tenancy/organizations.js';
import { parseOrgSettings } from '../tenancy/settings.js';
import type { AlertAuditSink } from './audit-sink.js';
import { deliverAlert } from './delivery.js';
import { createEvaluator } from './evaluator.js';
import { createKeyNetworkTracker } from './key-networks.js';
import { alertPayload } from './payload.js';
import type { SecurityAlertSettings } from './settings.js';
import type { SecuritySignal } from './signals.js';

export type SecurityAlertsDeps = {
  db: ScopedDatabase;
  keyring: MasterKeyring;
  store: Store;
  mailer: Mailer | undefined;
  allowPrivate: boolean;
  logger: Logger;
  audit: AlertAuditSink;
};

export type SecurityAlerts = {
  /** Evaluates the signal in the background. `settings`: the caller's cached copy (the gateway's); else read. */
  notify(signal: SecuritySignal, settings?: SecurityAlertSettings): void;
  /** The same for signals that concern several orgs (a user's memberships): the list is resolved in the background too. */
  notifyEach(orgIds: () => Promise<readonly string[]>, signal: (orgId: string) => SecuritySignal): void;
  /** Resolves once every evaluation started so far has finished (tests; shutdown). */
  idle(): Promise<void>;
};

const errorName = (error: unknown) => (error instanceof Error ? error.name : 'unknown error');

export function createSecurityAlerts(deps: SecurityAlertsDeps): SecurityAlerts {
  const evaluate = createEvaluator({ store: deps.store, networks: createKeyNetworkTracker(deps.store) });
  const pending = new Set<Promise<void>>();

  const settingsOf = async (orgId: string): Promise<SecurityAlertSettings | undefined> => {
    const org = await deps.db.withTenant(orgId, (tx) => getOrganization(tx, orgId));
    return org ? parseOrgSettings(org.id, org.settings).securityAlerts : undefined;
  };

  async function handle(signal: SecuritySignal, given: SecurityAlertSettings | undefined): Promise<void> {
    const settings = given ?? (await settingsOf(signal.orgId));
    if (!settings) return;
    const alert = await evaluate(signal, settings);
    if (!alert) return;
    const payload = alertPayload(alert, randomUUID());
    const outcome = await deliverAlert(deps, settings, payload);
    await deps.audit(payload, outcome);
  }

  function track(work: () => Promise<void>, kind: string): void {
    const run = work().catch((error: unknown) => deps.logger.warn({ signal: kind, error: errorName(error) }, 'security alert failed'));
    pending.add(run);
    void run.finally(() => pending.delete(run));
  }

  return {
    notify(signal, settings) {
      track(() => handle(signal, settings), signal.kind);
    },
    notifyEach(orgIds, signal) {
      track(async () => {
        for (const orgId of await orgIds()) await handle(signal(orgId), undefined);
      }, 'many');
    },
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
