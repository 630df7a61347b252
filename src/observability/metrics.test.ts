import { beforeEach, describe, expect, it } from 'vitest';
import type { GuardrailEventRecord } from '../gateway/guardrails/event-record.js';
import { countGuardrailEvents, guardrailFindingsTotal, metricsRegistry } from './metrics.js';

function event(overrides: Partial<GuardrailEventRecord> = {}): GuardrailEventRecord {
  return {
    direction: 'input',
    detector: 'pii',
    rule: 'EMAIL',
    category: 'EMAIL',
    action: 'redact',
    location: 'messages[0].content',
    start: 0,
    end: 5,
    valueHash: '00'.repeat(32),
    ...overrides,
  };
}

async function series(): Promise<{ labels: Record<string, string | number>; value: number }[]> {
  const metric = await guardrailFindingsTotal.get();
  return metric.values.map(({ labels, value }) => ({ labels: { ...labels }, value }));
}

describe('guardrail findings counter', () => {
  beforeEach(() => guardrailFindingsTotal.reset());

  it('increments one series per detector, category, action and direction', async () => {
    countGuardrailEvents([
      event(),
      event({ start: 10, end: 20 }),
      event({ direction: 'output', location: 'output' }),
      event({ detector: 'secret', rule: 'github-pat', category: 'secret', action: 'block' }),
    ]);
    countGuardrailEvents([]);
    expect(await series()).toEqual(
      expect.arrayContaining([
        { labels: { detector: 'pii', category: 'EMAIL', action: 'redact', direction: 'input' }, value: 2 },
        { labels: { detector: 'pii', category: 'EMAIL', action: 'redact', direction: 'output' }, value: 1 },
        { labels: { detector: 'secret', category: 'secret', action: 'block', direction: 'input' }, value: 1 },
      ]),
    );
    expect(await series()).toHaveLength(3);
  });

  it('is in the registry under its name, labelled without the rule, location or value hash', async () => {
    countGuardrailEvents([event({ detector: 'custom', rule: 'codename-bluebird', category: 'custom', action: 'log' })]);
    const text = await metricsRegistry.metrics();
    expect(text).toContain('# TYPE portcullis_guardrail_findings_total counter');
    expect(text).toContain('portcullis_guardrail_findings_total{detector="custom",category="custom",action="log",direction="input"} 1');
    expect(text).not.toContain('codename-bluebird');
    expect(text).not.toContain('messages[0]');
    expect(text).not.toContain('00'.repeat(32));
  });
});
