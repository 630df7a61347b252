/**
 * OpenTelemetry traces, end to end: a real gateway (test/support/gateway.ts) exports to a fake
 * OTLP/HTTP collector (a node:http server taking POST /v1/traces; the http exporter sends JSON),
 * and the tests read what arrived after a graceful stop flushed it.
 *
 * The "not configured" case runs first, on purpose: the OTel SDK is a process-wide singleton, and
 * the test checks that it was never loaded, which only holds before the configured case loads it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCredential } from '../src/crypto/api-key.js';
import { GATEWAY_SPANS } from '../src/gateway/pipeline/step-spans.js';
import { FAKE_ANTHROPIC_API_KEY } from './fakes/anthropic.js';
import { startGatewayFixture, type GatewayFixture } from './support/gateway.js';
import { rawPost } from './support/resilience.js';

type OtlpValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
type OtlpAttribute = { key: string; value: OtlpValue };
type OtlpSpan = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpAttribute[];
  status?: { code?: number };
};
type OtlpExport = {
  resourceSpans: { resource: { attributes: OtlpAttribute[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
};

type Collected = { path: string; headers: http.IncomingHttpHeaders; body: string };

/** A fake OTLP/HTTP collector: records every POST and answers 200 with an empty JSON response. */
async function startCollector(): Promise<{ url: string; received: Collected[]; close(): Promise<void> }> {
  const received: Collected[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const attributeValue = (value: OtlpValue | undefined): string | number | boolean | undefined =>
  value?.stringValue ?? (value?.intValue !== undefined ? Number(value.intValue) : (value?.boolValue ?? value?.doubleValue));

function attributesOf(list: OtlpAttribute[] | undefined): Record<string, string | number | boolean | undefined> {
  return Object.fromEntries((list ?? []).map((a) => [a.key, attributeValue(a.value)]));
}

type ExportedSpan = OtlpSpan & { service: unknown };

/** Every span of every export, with the `service.name` of the resource it came under. */
function spansOf(collected: Collected[]): ExportedSpan[] {
  const spans: ExportedSpan[] = [];
  for (const { body } of collected) {
    const payload = JSON.parse(body) as OtlpExport;
    for (const resourceSpans of payload.resourceSpans) {
      const service = attributesOf(resourceSpans.resource.attributes)['service.name'];
      for (const scope of resourceSpans.scopeSpans) spans.push(...scope.spans.map((span) => ({ ...span, service })));
    }
  }
  return spans;
}

const OPENAI_MODEL = 'openai/gpt-5.4-mini';
const ANTHROPIC_MODEL = 'anthropic/claude-haiku-4-5';
const SERVER_KIND = 2; // OTLP SpanKind SPAN_KIND_SERVER

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
/** A prompt nobody else sends, with an e-mail address in it (a PII finding, logged by default). */
const uniquePrompt = () => `Summarise canary-${randomUUID()} for canary.${hex(4)}@example.com please.`;

/** The fixture is stopped inside the tests (the flush is what they read) and again, harmlessly, after them. */
function once(run: () => Promise<void> | undefined): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= Promise.resolve(run()));
}

/** Module files of the OTel SDK and exporter that Node has loaded into this process so far. */
function loadedSdkModules(): string[] {
  const cache = createRequire(import.meta.url).cache;
  return Object.keys(cache).filter((file) => /@opentelemetry[\\/](sdk-trace|exporter-trace|otlp-)/.test(file));
}

describe('tracing not configured', () => {
  let fx: GatewayFixture;
  let collector: Awaited<ReturnType<typeof startCollector>>;
  beforeAll(async () => {
    collector = await startCollector();
    fx = await startGatewayFixture();
  });
  const stopFixture = once(() => fx?.stop());
  afterAll(async () => {
    await stopFixture();
    await collector?.close();
  });

  it('loads no SDK, registers no tracer provider, and passes no trace context upstream', async () => {
    const traceparent = `00-${hex(16)}-${hex(8)}-01`;
    const response = await rawPost(
      fx,
      '/v1/chat/completions',
      { model: OPENAI_MODEL, messages: [{ role: 'user', content: uniquePrompt() }] },
      { headers: { traceparent } },
    );
    expect(response.status).toBe(200);
    await stopFixture();

    expect(loadedSdkModules()).toEqual([]);
    // The API's global provider is still the no-op proxy: nothing was registered behind it.
    expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
    expect(fx.openai.requests.at(-1)?.headers.traceparent).toBeUndefined();
    expect(collector.received).toEqual([]);
  });
});

describe('tracing to an OTLP/HTTP collector', () => {
  const collectorKey = `collector-key-${hex(12)}`;
  let fx: GatewayFixture;
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let spans: ExportedSpan[] = [];
  let payloadText = '';
  const prompts = { plain: uniquePrompt(), fallback: uniquePrompt() };
  const callerTraceId = hex(16);
  const callerSpanId = hex(8);
  const fallbackTraceId = hex(16);
  const badKeyTraceId = hex(16);
  const apiTraceId = hex(16);
  const apiPathId = randomUUID();
  const apiQueryToken = `query-token-${hex(12)}`;
  let upstreamTraceparent: string | undefined;

  beforeAll(async () => {
    collector = await startCollector();
    fx = await startGatewayFixture({
      projectSettings: { aliases: { primary: [OPENAI_MODEL, ANTHROPIC_MODEL] }, maxRetries: 0, cache: { enabled: true, ttlSeconds: 60 } },
      // Both services in one process, as `portcullis start` runs them: each keeps its service name.
      withApi: true,
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        // Percent-encoded as the OTel specification has it: the collector must see it decoded.
        OTEL_EXPORTER_OTLP_HEADERS: `x-collector-key=${encodeURIComponent(collectorKey + ' ok')}`,
      },
    });

    // 1. A caller's trace continues through the gateway.
    const plain = await rawPost(
      fx,
      '/v1/chat/completions',
      { model: OPENAI_MODEL, messages: [{ role: 'user', content: prompts.plain }] },
      { headers: { traceparent: `00-${callerTraceId}-${callerSpanId}-01` } },
    );
    expect(plain.status).toBe(200);
    upstreamTraceparent = fx.openai.requests.at(-1)?.headers.traceparent as string | undefined;

    // 2. The first provider fails (no retries configured): the alias falls back to Anthropic.
    fx.openai.fail({ kind: 'status', status: 500, body: { error: { message: 'boom', type: 'server_error', code: null } } });
    const fallback = await rawPost(
      fx,
      '/v1/chat/completions',
      { model: 'primary', messages: [{ role: 'user', content: prompts.fallback }] },
      { headers: { traceparent: `00-${fallbackTraceId}-${hex(8)}-01` } },
    );
    expect(fallback.status).toBe(200);
    expect(fallback.headers.get('x-portcullis-provider')).toBe('anthropic');

    // 3. A wrong API key: refused in the authenticate step.
    const wrongKey = `${fx.apiKey.slice(0, -4)}${fx.apiKey.endsWith('aaaa') ? 'bbbb' : 'aaaa'}`;
    const refused = await rawPost(
      fx,
      '/v1/chat/completions',
      { model: OPENAI_MODEL, messages: [{ role: 'user', content: 'x' }] },
      { apiKey: wrongKey, headers: { traceparent: `00-${badKeyTraceId}-${hex(8)}-01` } },
    );
    expect(refused.status).toBe(401);

    // 4. The api: a route with an id in its path and a query string, without a session.
    const apiResponse = await fetch(`${fx.server.apiUrl}/api/orgs/${apiPathId}/projects?token=${apiQueryToken}`, {
      headers: { traceparent: `00-${apiTraceId}-${hex(8)}-01` },
    });
    expect(apiResponse.status).toBe(401);

    // Graceful stop: drains, then flushes the batch processor.
    await stopFixture();
    spans = spansOf(collector.received);
    payloadText = collector.received.map((c) => c.body).join('\n');
  });
  const stopFixture = once(() => fx?.stop());
  afterAll(async () => {
    await stopFixture();
    await collector?.close();
  });

  const inTrace = (traceId: string) => spans.filter((s) => s.traceId === traceId);
  const named = (list: OtlpSpan[], name: string) => list.filter((s) => s.name === name);

  it('posts OTLP JSON to /v1/traces with the configured headers and service name', () => {
    expect(collector.received.length).toBeGreaterThan(0);
    for (const request of collector.received) {
      expect(request.path).toBe('/v1/traces');
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['x-collector-key']).toBe(`${collectorKey} ok`);
    }
    expect(new Set(inTrace(callerTraceId).map((s) => s.service))).toEqual(new Set(['portcullis-gateway']));
    expect(new Set(inTrace(apiTraceId).map((s) => s.service))).toEqual(new Set(['portcullis-api']));
    // The detection the "not configured" case relies on does see the SDK once it is loaded.
    expect(loadedSdkModules()).not.toEqual([]);
  });

  it('continues the caller trace: server span, then one child span per pipeline step', () => {
    const trace = inTrace(callerTraceId);
    const [server] = trace.filter((s) => s.kind === SERVER_KIND);
    expect(server).toBeDefined();
    expect(server!.name).toBe('POST /v1/chat/completions');
    expect(server!.parentSpanId).toBe(callerSpanId);
    expect(attributesOf(server!.attributes)).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/v1/chat/completions',
      'http.response.status_code': 200,
      'portcullis.org_id': fx.orgId,
    });
    expect(attributesOf(server!.attributes)['portcullis.project_id']).toMatch(/^[0-9a-f-]{36}$/);

    const steps = [
      GATEWAY_SPANS.authenticate,
      GATEWAY_SPANS.route,
      GATEWAY_SPANS.limits,
      GATEWAY_SPANS.guardrailsInput,
      GATEWAY_SPANS.cacheLookup,
      GATEWAY_SPANS.attempt,
      GATEWAY_SPANS.guardrailsOutput,
      GATEWAY_SPANS.logEnqueue,
    ];
    for (const step of steps) {
      const found = named(trace, step);
      expect(found, step).toHaveLength(1);
      expect(found[0]!.parentSpanId, step).toBe(server!.spanId);
    }

    const attempt = attributesOf(named(trace, GATEWAY_SPANS.attempt)[0]!.attributes);
    expect(attempt).toMatchObject({
      'portcullis.provider': 'openai',
      'gen_ai.request.model': 'gpt-5.4-mini',
      'portcullis.attempt.number': 1,
      'portcullis.attempt.fallback': false,
      'portcullis.attempt.outcome': 'ok',
    });
    expect(attributesOf(named(trace, GATEWAY_SPANS.cacheLookup)[0]!.attributes)['portcullis.cache.status']).toBe('miss');
    expect(attributesOf(named(trace, GATEWAY_SPANS.guardrailsInput)[0]!.attributes)['portcullis.guardrails.findings']).toBeGreaterThan(0);
    expect(attributesOf(named(trace, GATEWAY_SPANS.logEnqueue)[0]!.attributes)).toMatchObject({
      'http.response.status_code': 200,
      'portcullis.provider': 'openai',
      'gen_ai.usage.input_tokens': 11,
      'gen_ai.usage.output_tokens': 7,
      'portcullis.cache.status': 'miss',
    });
  });

  it('sends the provider a traceparent of the same trace, parented on the attempt span', () => {
    const attempt = named(inTrace(callerTraceId), GATEWAY_SPANS.attempt)[0]!;
    expect(upstreamTraceparent).toBe(`00-${callerTraceId}-${attempt.spanId}-01`);
  });

  it('records a fallback as two attempt spans, the failed one as an error', () => {
    const spans = named(inTrace(fallbackTraceId), GATEWAY_SPANS.attempt);
    spans.sort(
      (a, b) =>
        Number(attributesOf(a.attributes)['portcullis.attempt.number']) - Number(attributesOf(b.attributes)['portcullis.attempt.number']),
    );
    expect(spans.map((s) => s.status?.code ?? 0)).toEqual([2, 0]); // STATUS_CODE_ERROR, then UNSET
    const attempts = spans.map((s) => attributesOf(s.attributes));
    expect(attempts).toEqual([
      expect.objectContaining({
        'portcullis.provider': 'openai',
        'portcullis.attempt.number': 1,
        'portcullis.attempt.fallback': false,
        'portcullis.attempt.outcome': 'failed',
        'http.response.status_code': 500,
      }),
      expect.objectContaining({
        'portcullis.provider': 'anthropic',
        'gen_ai.request.model': 'claude-haiku-4-5',
        'portcullis.attempt.number': 2,
        'portcullis.attempt.fallback': true,
        'portcullis.attempt.outcome': 'ok',
      }),
    ]);
  });

  it('marks a refused key on the authenticate span, by code only', () => {
    const trace = inTrace(badKeyTraceId);
    const server = trace.find((s) => s.kind === SERVER_KIND);
    expect(attributesOf(server?.attributes)['http.response.status_code']).toBe(401);
    const authenticate = named(trace, GATEWAY_SPANS.authenticate)[0];
    expect(attributesOf(authenticate?.attributes)['error.type']).toBe('invalid_api_key');
    expect(authenticate?.status?.code).toBe(2); // STATUS_CODE_ERROR
    expect(named(trace, GATEWAY_SPANS.attempt)).toEqual([]);
  });

  it('names api server spans by route pattern, never the raw path or query string', () => {
    const [server, ...others] = inTrace(apiTraceId);
    expect(others).toEqual([]);
    expect(server?.kind).toBe(SERVER_KIND);
    expect(server?.name).toBe('GET /api/orgs/:orgId/projects');
    expect(attributesOf(server?.attributes)).toMatchObject({ 'http.route': '/api/orgs/:orgId/projects', 'http.response.status_code': 401 });
    expect(payloadText).not.toContain(apiPathId);
    expect(payloadText).not.toContain(apiQueryToken);
  });

  it('exports no prompt or answer text, no API key or its lookup id, no provider key, no collector key', () => {
    expect(payloadText.length).toBeGreaterThan(0);
    const lookupId = parseCredential(fx.apiKey)?.lookupId;
    expect(lookupId).toBeDefined();
    const forbidden = [
      prompts.plain,
      prompts.fallback,
      ...Object.values(prompts).map((p) => /canary-[0-9a-f-]+/.exec(p)![0]),
      ...Object.values(prompts).map((p) => /canary\.[0-9a-f]+@example\.com/.exec(p)![0]),
      'Hello from',
      fx.apiKey,
      lookupId!,
      fx.openai.apiKey,
      FAKE_ANTHROPIC_API_KEY,
      collectorKey,
    ];
    for (const value of forbidden) expect(payloadText, value).not.toContain(value);
  });
});
