/**
 * Turns signals into alerts, rule by rule. Counting rules (failed sign-ins, guardrail blocks) fire
 * when the window's count reaches the threshold and the org's cooldown for that rule is free; the
 * cooldown lasts one window, so a burst gives one alert however long it goes on past the threshold
 * and however many replicas see it. The other rules are one alert per event.
 */
import type { Store } from '../store/store.js';
import type { KeyNetworkTracker } from './key-networks.js';
import { networkOf } from './networks.js';
import { hasDestination, type SecurityAlertSettings } from './settings.js';
import type { SecurityAlert, SecuritySignal } from './signals.js';
import { claimCooldown, countInWindow } from './windows.js';

export type EvaluatorDeps = { store: Store; networks: KeyNetworkTracker; now?: () => Date };

export type Evaluator = (signal: SecuritySignal, settings: SecurityAlertSettings) => Promise<SecurityAlert | null>;

export function createEvaluator(deps: EvaluatorDeps): Evaluator {
  const now = deps.now ?? (() => new Date());

  async function counted(
    signal: SecuritySignal,
    rule: 'failedLogins' | 'guardrailBlockBurst',
    settings: SecurityAlertSettings,
    details: SecurityAlert['details'],
  ): Promise<SecurityAlert | null> {
    const { threshold, windowSeconds } = settings.rules[rule];
    const at = now();
    const key = `security-alerts:count:${signal.orgId}:${rule}:${windowSeconds}`;
    const count = await countInWindow(deps.store, key, windowSeconds, at.getTime());
    if (count < threshold) return null;
    if (!(await claimCooldown(deps.store, `security-alerts:cooldown:${signal.orgId}:${rule}`, windowSeconds))) return null;
    return { orgId: signal.orgId, rule, occurredAt: at, details: { count, threshold, window_seconds: windowSeconds, ...details } };
  }

  return async (signal, settings) => {
    const { rules } = settings;
    switch (signal.kind) {
      case 'login_failed':
        if (!rules.failedLogins.enabled || !hasDestination(settings)) return null;
        return counted(signal, 'failedLogins', settings, { last_user_id: signal.userId, last_ip: signal.ip });
      case 'guardrail_blocked':
        if (!rules.guardrailBlockBurst.enabled || !hasDestination(settings)) return null;
        return counted(signal, 'guardrailBlockBurst', settings, {
          last_project_id: signal.projectId,
          last_api_key_id: signal.apiKeyId,
          last_ip: signal.ip,
        });
      case 'api_key_used': {
        // Tracked even without a destination, so naming one later does not flag every key's usual networks.
        if (!rules.newApiKeyNetwork.enabled) return null;
        const network = networkOf(signal.ip);
        if (!network) return null;
        const verdict = await deps.networks.observe(signal.apiKeyId, network);
        if (verdict !== 'new_network' || !hasDestination(settings)) return null;
        return {
          orgId: signal.orgId,
          rule: 'newApiKeyNetwork',
          occurredAt: now(),
          details: { api_key_id: signal.apiKeyId, project_id: signal.projectId, ip: signal.ip, network },
        };
      }
      case 'admin_granted':
        if (!rules.adminGranted.enabled || !hasDestination(settings)) return null;
        return {
          orgId: signal.orgId,
          rule: 'adminGranted',
          occurredAt: now(),
          details: {
            user_id: signal.userId,
            role: signal.role,
            via: signal.via,
            actor_type: signal.actor.type,
            actor_id: signal.actor.id,
          },
        };
    }
  };
}
