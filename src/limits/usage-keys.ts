/**
 * Counter and alert-marker key names. Each id is percent-encoded so an id containing ':' or
 * braces can never make two different scopes share a key. The org id sits in a {hash tag}: all
 * keys of one request then map to the same Redis Cluster slot, which a multi-key Lua script
 * requires.
 */
import type { UsageMetric } from '../tenancy/limits.js';

export type UsageScopeType = 'org' | 'project' | 'api_key';

export interface UsageScopeRef {
  type: UsageScopeType;
  id: string;
}

export function counterKey(orgId: string, scope: UsageScopeRef, metric: UsageMetric, periodId: string): string {
  return `usage:{${encode(orgId)}}:${scope.type}:${encode(scope.id)}:${metric}:${periodId}`;
}

/**
 * Set once when an alert threshold is crossed. The limit is part of the name so that changing
 * a limit mid-period re-arms its alerts (80% of a raised budget is a new event).
 */
export function alertMarkerKey(counter: string, limitUnits: number, threshold: number): string {
  return `${counter}:alert:${limitUnits}:${threshold}`;
}

function encode(id: string): string {
  return encodeURIComponent(id);
}
