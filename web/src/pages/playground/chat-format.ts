/** How the playground words a finished turn: cost with enough digits to be non-zero, tokens, latency. */
import { formatNumber } from '../../lib/format.ts';
import type { ChatSummary, GuardrailFinding } from '../../api/playground-schemas.ts';

/** A chat costs fractions of a cent: show three significant digits rather than $0.00. */
export function formatCost(usd: number | null): string {
  if (usd === null) return 'cost unknown';
  if (usd === 0) return '$0';
  return `$${usd.toLocaleString('en-US', { maximumSignificantDigits: 3, maximumFractionDigits: 8 })}`;
}

export const formatTokens = (value: number | null): string => (value === null ? '?' : formatNumber(value));

export function summaryLine(summary: ChatSummary): string {
  const served =
    summary.servedModel !== null && !summary.model.endsWith(`/${summary.servedModel}`) ? ` (served ${summary.servedModel})` : '';
  return [
    `${summary.provider ?? 'unknown provider'} · ${summary.model}${served}`,
    `${formatTokens(summary.inputTokens)} tokens in, ${formatTokens(summary.outputTokens)} out`,
    formatCost(summary.costUsd),
    `${formatNumber(summary.latencyMs)} ms`,
  ].join(' · ');
}

const ACTION_WORDS: Readonly<Record<GuardrailFinding['action'], string>> = {
  block: 'blocked',
  redact: 'redacted',
  mask: 'masked',
  log: 'logged',
};

/** "Blocked by custom rule codename (category custom) in the request" — never the matched text, which the api does not send. */
export function describeFinding(finding: GuardrailFinding): string {
  const where = finding.direction === 'input' ? 'in the request' : 'in the answer';
  const category = finding.category === null || finding.category === finding.rule ? '' : ` (${finding.category})`;
  const verb = ACTION_WORDS[finding.action];
  return `${verb.charAt(0).toUpperCase()}${verb.slice(1)} ${where}: ${finding.detector} rule ${finding.rule}${category}.`;
}
