/**
 * The tracing part of the configuration, from the standard OpenTelemetry variables. Parsed here
 * rather than left to the OTel SDK's own environment reading so that the values get the same
 * treatment as every other variable (NAME_FILE, .env, flags, secret scrubbing, one error list).
 */
import { registerSecret } from '../logging/secret-registry.js';
import type { RawVariables } from '../config/variables.js';

export type TracingConfig = {
  /** Where spans are POSTed (OTLP/HTTP JSON). */
  tracesUrl: string;
  /** Collector headers (often an API key): secret values, never logged. */
  headers: Record<string, string>;
  /** OTEL_SERVICE_NAME; undefined: portcullis-gateway / portcullis-api per service. */
  serviceName: string | undefined;
  /** Share of new (root) traces sampled, 0..1. */
  samplerRatio: number;
};

/**
 * OTEL_EXPORTER_OTLP_HEADERS: `name=value,name2=value2`, values percent-encoded (the W3C baggage
 * syntax the OTel specification uses). A malformed entry is a problem reported at start, never
 * silently dropped: a missing API key would only show as spans that never arrive.
 */
export function parseOtlpHeaders(text: string | undefined, problems: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  if (text === undefined) return headers;
  for (const [index, entry] of text.split(',').entries()) {
    if (entry.trim() === '') continue;
    const separator = entry.indexOf('=');
    const name = separator > 0 ? entry.slice(0, separator).trim() : '';
    let value: string | undefined;
    try {
      value = separator > 0 ? decodeURIComponent(entry.slice(separator + 1).trim()) : undefined;
    } catch {
      value = undefined;
    }
    // Only the position is reported: the entry itself is (part of) a secret.
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || value === undefined || value === '') {
      problems.push(`OTEL_EXPORTER_OTLP_HEADERS (entry ${index + 1}): expected name=value`);
      continue;
    }
    // Each value alone is a secret too: it can show up without the rest of the variable.
    registerSecret(value);
    headers[name.toLowerCase()] = value;
  }
  return headers;
}

/** Undefined (tracing off, no SDK loaded) unless a collector endpoint is configured. */
export function parseTracingConfig(raw: RawVariables, problems: string[]): TracingConfig | undefined {
  const headers = parseOtlpHeaders(raw.OTEL_EXPORTER_OTLP_HEADERS, problems);
  const tracesUrl =
    raw.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (raw.OTEL_EXPORTER_OTLP_ENDPOINT === undefined ? undefined : `${raw.OTEL_EXPORTER_OTLP_ENDPOINT}/v1/traces`);
  if (tracesUrl === undefined) return undefined;
  return { tracesUrl, headers, serviceName: raw.OTEL_SERVICE_NAME, samplerRatio: raw.OTEL_TRACES_SAMPLER_ARG };
}
