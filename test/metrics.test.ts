/**
 * Prometheus metrics over real HTTP: where GET /metrics is served (METRICS_TOKEN on the service
 * ports, METRICS_PORT on a listener of its own, neither: nowhere), and what a scraper sees move
 * when real requests go through the gateway to the fake providers: requests by provider, model and
 * status, tokens, cost, time to first token, cache lookups, fallbacks and upstream errors,
 * guardrail findings and limit rejections; and that no org, project or key id, API key or prompt
 * text ever reaches the exposition.
 *
 * The registry is per process and the counters only grow, so each test compares a scrape after
 * its requests with one before them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findModel } from '../src/providers/catalog/catalog.js';
import { computeCostMicroUsd } from '../src/providers/catalog/cost.js';
import { startGatewayFixture, type GatewayFixture } from './support/gateway.js';
import { call, keyIdOfToken, keyWithLimits } from './support/limits.js';
import { eventually } from './support/resilience.js';
import { startTestServer, type TestServer } from './support/server.js';

const CHAT = '/v1/chat/completions';
const MODEL_ID = 'gpt-5.4-mini';
const OPENAI_MODEL = `openai/${MODEL_ID}`;
const ANTHROPIC_MODEL = 'anthropic/claude-haiku-4-5';
const METRICS_TOKEN = randomBytes(32).toString('base64url');
// Built at run time so that no scanner mistakes this file for a leak.
const GITLAB_TOKEN = 'glpat-' + 'q8Zr3LmP0xWv7Ty2Nk5B';

// ---- the exposition, as a scraper reads it --------------------------------------------------------

type Sample = { name: string; labels: Record<string, string>; value: number };

function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

class Scrape {
  readonly samples: Sample[];
  constructor(readonly text: string) {
    this.samples = parseExposition(text);
  }
  /** The sum over the series of `name` carrying every label given (0 when there is none). */
  value(name: string, labels: Record<string, string> = {}): number {
    return this.samples
      .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .reduce((sum, s) => sum + s.value, 0);
  }
}

async function scrape(url: string, token: string | undefined = METRICS_TOKEN): Promise<Scrape> {
  const response = await fetch(`${url}/metrics`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return new Scrape(await response.text());
}

/** How much each probe grew between two scrapes. */
function growth(before: Scrape, after: Scrape, name: string, labels: Record<string, string> = {}): number {
  return after.value(name, labels) - before.value(name, labels);
}

// ---- exposure ---------------------------------------------------------------------------------------

describe('GET /metrics with METRICS_TOKEN: on both service ports, to the bearer of the token', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ services: ['gateway', 'api'], env: { METRICS_TOKEN } });
  });
  afterAll(async () => server?.stop());

  it('refuses a scrape without the token or with a wrong one (401), serves it with the token', async () => {
    for (const url of [server.gatewayUrl, server.apiUrl]) {
      const without = await fetch(`${url}/metrics`);
      expect(without.status).toBe(401);
      expect(without.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const body = (await without.json()) as { error: { code: string } };
      expect(body.error.code).toBe('invalid_metrics_token');
      // Same length, one character off: the comparison is not a prefix match.
      const wrong = METRICS_TOKEN.slice(0, -1) + (METRICS_TOKEN.endsWith('A') ? 'B' : 'A');
      for (const token of [wrong, METRICS_TOKEN.slice(0, 10), `${METRICS_TOKEN}x`])
        expect((await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
      const served = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(await served.text()).toContain('# TYPE portcullis_http_requests_total counter');
    }
  });

  it('labels requests by service, matched route pattern and status; unknown paths as `unmatched`, never the raw path', async () => {
    const before = await scrape(server.gatewayUrl);
    const unknownPath = `/no-such-page-${randomUUID()}`;
    expect((await fetch(`${server.apiUrl}${unknownPath}`)).status).toBe(404);
    expect((await fetch(`${server.gatewayUrl}${unknownPath}`)).status).toBe(404);
    expect((await fetch(`${server.gatewayUrl}/v1/models/some-model-${randomUUID()}`)).status).toBe(401);
    const after = await scrape(server.apiUrl);

    const unmatched = { route: 'unmatched', method: 'GET', status: '404' };
    expect(growth(before, after, 'portcullis_http_requests_total', { service: 'api', ...unmatched })).toBe(1);
    expect(growth(before, after, 'portcullis_http_requests_total', { service: 'gateway', ...unmatched })).toBe(1);
    // Refused by the authentication middleware before any /v1 route ran: its pattern, not the path.
    expect(growth(before, after, 'portcullis_http_requests_total', { service: 'gateway', route: '/v1/*', status: '401' })).toBe(1);
    expect(growth(before, after, 'portcullis_http_request_duration_seconds_count', { service: 'api', ...unmatched })).toBe(1);
    expect(after.text).not.toContain(unknownPath);
    expect(after.text).not.toContain('some-model-');
    // Scrapes themselves are not counted.
    expect(after.value('portcullis_http_requests_total', { route: '/metrics' })).toBe(0);
  });

  it('includes process metrics (event-loop lag) and the database connections', async () => {
    const metrics = await scrape(server.gatewayUrl);
    expect(metrics.samples.some((s) => s.name === 'portcullis_nodejs_eventloop_lag_seconds')).toBe(true);
    expect(metrics.samples.some((s) => s.name === 'portcullis_process_resident_memory_bytes')).toBe(true);
    expect(metrics.value('portcullis_db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
    // pg reports its idle and waiting connections too; PGlite is one connection with neither.
    const pooled = server.runtime.database.kind === 'postgres';
    expect(metrics.samples.some((s) => s.name === 'portcullis_db_pool_connections' && s.labels.state === 'idle')).toBe(pooled);
    expect(metrics.samples.some((s) => s.name === 'portcullis_request_log_queue_depth')).toBe(true);
    expect(metrics.samples.some((s) => s.name === 'portcullis_request_log_dropped_total')).toBe(true);
  });
});

describe('GET /metrics with METRICS_PORT: on its own listener only', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ services: ['gateway', 'api'], env: { METRICS_PORT: '0' } });
  });
  afterAll(async () => server?.stop());

  it('is served on the metrics port, 404 on the service ports, and the metrics port serves nothing else', async () => {
    const metricsUrl = server.services.metrics!.url;
    expect(new URL(metricsUrl).port).not.toBe(new URL(server.gatewayUrl).port);
    const scraped = await scrape(metricsUrl, undefined);
    expect(scraped.text).toContain('# TYPE portcullis_gateway_requests_total counter');
    expect((await fetch(`${server.gatewayUrl}/metrics`)).status).toBe(404);
    expect((await fetch(`${server.apiUrl}/metrics`)).status).toBe(404);
    expect((await fetch(`${metricsUrl}/healthz`)).status).toBe(404);
    expect((await fetch(`${metricsUrl}/v1/models`)).status).toBe(404);
    expect((await fetch(`${metricsUrl}/metrics`, { method: 'POST' })).status).toBe(404);
  });
});

describe('GET /metrics without METRICS_TOKEN or METRICS_PORT', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ services: ['gateway', 'api'] });
  });
  afterAll(async () => server?.stop());

  it('is not served at all (404), with or without a bearer token', async () => {
    expect(server.services.metrics).toBeUndefined();
    for (const url of [server.gatewayUrl, server.apiUrl]) {
      expect((await fetch(`${url}/metrics`)).status).toBe(404);
      expect((await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(404);
    }
  });
});

// ---- what the gateway counts --------------------------------------------------------------------------

describe('gateway metrics after real requests through the fake providers', () => {
  let fx: GatewayFixture;
  const secretsInPrompts: string[] = [];
  const ask = (text: string) => {
    const marker = `prompt-marker-${randomUUID()}`;
    secretsInPrompts.push(marker);
    return [{ role: 'user', content: `${text} ${marker}` }];
  };
  const chat = (body: Record<string, unknown>, apiKey = fx.apiKey) => call(fx.gatewayUrl, CHAT, { apiKey, body });

  beforeAll(async () => {
    fx = await startGatewayFixture({
      env: { METRICS_TOKEN },
      projectSettings: { cache: { enabled: true }, aliases: { primary: [OPENAI_MODEL, ANTHROPIC_MODEL] } },
    });
  });
  afterAll(async () => fx?.stop());
  beforeEach(() => {
    for (const fake of [fx.openai, fx.azure, fx.compatible, fx.anthropic, fx.gemini]) fake.reset();
  });

  it('counts a completion by provider, catalog model and status, with its tokens, cost and a cache miss; the repeat is a cache hit', async () => {
    const usage = { input: 1200, output: 300, cached: 200, reasoning: 50 };
    fx.openai.reply({ text: 'Counted.', usage });
    const before = await scrape(fx.gatewayUrl);
    const body = { model: OPENAI_MODEL, messages: ask('Count me.') };
    const first = await chat(body);
    expect(first.status, first.text).toBe(200);
    const afterFirst = await scrape(fx.gatewayUrl);

    const series = { provider: 'openai', model: MODEL_ID };
    const requests = { endpoint: CHAT, ...series, status: '200' };
    expect(growth(before, afterFirst, 'portcullis_gateway_requests_total', requests)).toBe(1);
    expect(growth(before, afterFirst, 'portcullis_tokens_total', { ...series, kind: 'input' })).toBe(1200);
    expect(growth(before, afterFirst, 'portcullis_tokens_total', { ...series, kind: 'output' })).toBe(300);
    expect(growth(before, afterFirst, 'portcullis_tokens_total', { ...series, kind: 'cached_input' })).toBe(200);
    expect(growth(before, afterFirst, 'portcullis_tokens_total', { ...series, kind: 'reasoning' })).toBe(50);
    const expectedCostUsd =
      computeCostMicroUsd(findModel('openai', MODEL_ID)!.pricing, {
        inputTokens: 1200,
        outputTokens: 300,
        cachedInputTokens: 200,
        cacheWriteInputTokens: 0,
        reasoningTokens: 50,
      }) / 1e6;
    expect(expectedCostUsd).toBeGreaterThan(0);
    expect(growth(before, afterFirst, 'portcullis_cost_usd_total', series)).toBeCloseTo(expectedCostUsd, 9);
    expect(growth(before, afterFirst, 'portcullis_cache_lookups_total', { result: 'miss' })).toBe(1);
    expect(growth(before, afterFirst, 'portcullis_gateway_request_duration_seconds_count', { endpoint: CHAT, provider: 'openai' })).toBe(1);
    expect(
      growth(before, afterFirst, 'portcullis_http_requests_total', { service: 'gateway', route: CHAT, method: 'POST', status: '200' }),
    ).toBe(1);

    const second = await chat(body);
    expect(second.status).toBe(200);
    expect(second.headers.get('x-portcullis-cache')).toBe('HIT');
    const afterSecond = await scrape(fx.gatewayUrl);
    expect(growth(afterFirst, afterSecond, 'portcullis_cache_lookups_total', { result: 'hit' })).toBe(1);
    expect(growth(afterFirst, afterSecond, 'portcullis_gateway_requests_total', requests)).toBe(1);
    // A hit costs nothing and reports no provider tokens.
    expect(growth(afterFirst, afterSecond, 'portcullis_tokens_total')).toBe(0);
    expect(growth(afterFirst, afterSecond, 'portcullis_cost_usd_total')).toBe(0);
    expect(fx.openai.requests).toHaveLength(1);
  });

  it('observes the time to first token of a stream once, when the stream has ended', async () => {
    const before = await scrape(fx.gatewayUrl);
    const streamed = await chat({ model: OPENAI_MODEL, stream: true, stream_options: { include_usage: true }, messages: ask('Stream.') });
    expect(streamed.status).toBe(200);
    expect(streamed.text).toContain('data: [DONE]');
    const after = await eventually('the stream to be counted', async () => {
      const scraped = await scrape(fx.gatewayUrl);
      return growth(before, scraped, 'portcullis_gateway_requests_total', { provider: 'openai', status: '200' }) === 1
        ? scraped
        : undefined;
    });
    expect(growth(before, after, 'portcullis_gateway_ttft_seconds_count', { provider: 'openai', stream: 'true' })).toBe(1);
    expect(growth(before, after, 'portcullis_gateway_ttft_seconds_count', { stream: 'false' })).toBe(0);
    expect(growth(before, after, 'portcullis_tokens_total', { provider: 'openai', kind: 'output' })).toBe(7);
  });

  it('counts an upstream error and the fallback it caused, labelled by provider and kind', async () => {
    fx.openai.fail({ kind: 'status', status: 401, body: { error: { message: 'bad key', type: 'invalid_request_error', code: null } } });
    const before = await scrape(fx.gatewayUrl);
    const response = await chat({ model: 'primary', messages: ask('Fall back.') });
    expect(response.status, response.text).toBe(200);
    expect(response.headers.get('x-portcullis-provider')).toBe('anthropic');
    const after = await scrape(fx.gatewayUrl);
    expect(growth(before, after, 'portcullis_upstream_errors_total', { provider: 'openai', kind: 'auth' })).toBe(1);
    expect(growth(before, after, 'portcullis_upstream_errors_total')).toBe(1);
    expect(growth(before, after, 'portcullis_fallbacks_total', { from_provider: 'openai', to_provider: 'anthropic' })).toBe(1);
    // The alias is the project's own name, not a label: the model anthropic served is.
    expect(
      growth(before, after, 'portcullis_gateway_requests_total', { provider: 'anthropic', model: 'claude-haiku-4-5', status: '200' }),
    ).toBe(1);
    expect(after.text).not.toContain('primary');
  });

  it('counts a guardrail block by detector, category and action, and the refused request by status', async () => {
    const before = await scrape(fx.gatewayUrl);
    const blocked = await chat({ model: OPENAI_MODEL, messages: ask(`deploy with ${GITLAB_TOKEN} please`) });
    expect(blocked.status).toBe(400);
    expect(fx.openai.requests).toHaveLength(0);
    const after = await scrape(fx.gatewayUrl);
    const finding = { detector: 'secret', category: 'secret', action: 'block', direction: 'input' };
    expect(growth(before, after, 'portcullis_guardrail_findings_total', finding)).toBe(1);
    expect(
      growth(before, after, 'portcullis_gateway_requests_total', { endpoint: CHAT, provider: 'none', model: MODEL_ID, status: '400' }),
    ).toBe(1);
    expect(after.text).not.toContain('gitlab-token');
    expect(after.text).not.toContain(GITLAB_TOKEN);
  });

  it('counts a rate-limit 429 as a limit rejection of kind `rate`', async () => {
    const { token } = await keyWithLimits(fx, { rate: { requestsPerMinute: 1 } });
    const before = await scrape(fx.gatewayUrl);
    expect((await chat({ model: OPENAI_MODEL, messages: ask('One.') }, token)).status).toBe(200);
    const refused = await chat({ model: OPENAI_MODEL, messages: ask('Two.') }, token);
    expect(refused.status).toBe(429);
    const after = await scrape(fx.gatewayUrl);
    expect(growth(before, after, 'portcullis_limit_rejections_total', { service: 'gateway', kind: 'rate' })).toBe(1);
    expect(growth(before, after, 'portcullis_limit_rejections_total')).toBe(1);
    expect(growth(before, after, 'portcullis_gateway_requests_total', { endpoint: CHAT, status: '429' })).toBe(1);
    expect(
      growth(before, after, 'portcullis_http_requests_total', { service: 'gateway', route: CHAT, method: 'POST', status: '429' }),
    ).toBe(1);
    // A provider's own 429 is an upstream error, not one of our limits.
    fx.openai.fail(...Array.from({ length: 3 }, () => ({ kind: 'status' as const, status: 429, headers: { 'retry-after': '0' } })));
    const beforeUpstream = await scrape(fx.gatewayUrl);
    expect((await chat({ model: OPENAI_MODEL, messages: ask('Three.') })).status).toBe(429);
    const afterUpstream = await scrape(fx.gatewayUrl);
    expect(growth(beforeUpstream, afterUpstream, 'portcullis_limit_rejections_total')).toBe(0);
    expect(growth(beforeUpstream, afterUpstream, 'portcullis_upstream_errors_total', { provider: 'openai', kind: 'rate_limited' })).toBe(3);
  });

  it('never exposes an org, project or key id, an API key, the org name or prompt text', async () => {
    const { token: limitedKey } = await keyWithLimits(fx, { rate: { requestsPerMinute: 100 } });
    const exposition = (await scrape(fx.gatewayUrl)).text;
    const keyId = await keyIdOfToken(fx, fx.apiKey);
    const forbidden = [fx.orgId, fx.orgName, keyId, await keyIdOfToken(fx, limitedKey), fx.apiKey, limitedKey, METRICS_TOKEN];
    for (const value of [...forbidden, ...secretsInPrompts]) expect(exposition).not.toContain(value);
    expect(secretsInPrompts.length).toBeGreaterThan(5);
    // Every label value is from a bounded set: no UUIDs at all.
    expect(exposition).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
  });
});
