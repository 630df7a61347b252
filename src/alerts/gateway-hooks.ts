/**
 * The gateway's signals for one authenticated request: the key's client address (new-network
 * rule) now, and a guardrail block when the request's log is finished (streamed answers included,
 * since a stream blocked midway finishes its log with `guardrail_blocked` too).
 */
import type { SecurityAlertSettings } from './settings.js';
import type { SecurityAlerts } from './service.js';

type RequestFacts = { orgId: string; projectId: string; apiKeyId: string; clientIp: string | undefined; settings: SecurityAlertSettings };
type FinishHook = { onFinish(hook: (fields: { errorCode: string | null }) => void): void };

export function watchGatewayRequest(alerts: SecurityAlerts, request: RequestFacts, log: FinishHook): void {
  const { orgId, projectId, apiKeyId, clientIp, settings } = request;
  if (clientIp) alerts.notify({ kind: 'api_key_used', orgId, projectId, apiKeyId, ip: clientIp }, settings);
  log.onFinish((fields) => {
    if (fields.errorCode === 'guardrail_blocked')
      alerts.notify({ kind: 'guardrail_blocked', orgId, projectId, apiKeyId, ip: clientIp ?? null }, settings);
  });
}
