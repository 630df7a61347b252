import { describe, expect, it } from 'vitest';
import { variablesSchema } from '../config/variables.js';
import { scrubSecrets } from '../logging/secret-registry.js';
import { parseOtlpHeaders, parseTracingConfig } from './tracing-config.js';

const raw = (env: Record<string, string>) => variablesSchema.parse(env);

describe('parseTracingConfig', () => {
  it('is off (undefined) unless an endpoint is set, whatever else is', () => {
    const problems: string[] = [];
    expect(parseTracingConfig(raw({ OTEL_SERVICE_NAME: 'x', OTEL_EXPORTER_OTLP_HEADERS: 'a=b' }), problems)).toBeUndefined();
    expect(problems).toEqual([]);
  });

  it('appends /v1/traces to the base endpoint; the traces endpoint is used as is and wins', () => {
    expect(parseTracingConfig(raw({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }), [])).toEqual({
      tracesUrl: 'http://collector:4318/v1/traces',
      headers: {},
      serviceName: undefined,
      samplerRatio: 1,
    });
    const both = raw({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://b.example/otlp/traces' });
    expect(parseTracingConfig(both, [])?.tracesUrl).toBe('https://b.example/otlp/traces');
  });

  it('reads the sampler ratio from 0 to 1 and refuses anything else', () => {
    expect(
      parseTracingConfig(raw({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_SAMPLER_ARG: '0.25' }), [])?.samplerRatio,
    ).toBe(0.25);
    for (const bad of ['1.5', '-0.1', 'half', ''])
      expect(variablesSchema.safeParse({ OTEL_TRACES_SAMPLER_ARG: bad }).success, bad).toBe(false);
  });
});

describe('parseOtlpHeaders', () => {
  it('decodes percent-encoded values and registers each one as a secret', () => {
    const problems: string[] = [];
    const value = `key-${Math.random().toString(36).slice(2)}`;
    expect(parseOtlpHeaders(`Authorization=Bearer%20${value}, x-team = ops `, problems)).toEqual({
      authorization: `Bearer ${value}`,
      'x-team': 'ops',
    });
    expect(problems).toEqual([]);
    expect(scrubSecrets(`sent "Bearer ${value}"`)).not.toContain(value);
  });

  it('reports a malformed entry by position, without echoing it', () => {
    const problems: string[] = [];
    expect(parseOtlpHeaders('good=1,not-a-pair-s3cr3t,bad name=2,empty=', problems)).toEqual({ good: '1' });
    expect(problems).toEqual([
      'OTEL_EXPORTER_OTLP_HEADERS (entry 2): expected name=value',
      'OTEL_EXPORTER_OTLP_HEADERS (entry 3): expected name=value',
      'OTEL_EXPORTER_OTLP_HEADERS (entry 4): expected name=value',
    ]);
    expect(problems.join()).not.toContain('s3cr3t');
  });
});
