/**
 * POST /v1/chat/completions, /v1/responses and /v1/messages: one pipeline, three client formats.
 *   parse (format) → route → limits → input guardrails → cache lookup → attempts (retry/fallback;
 *   native passthrough when the provider speaks the client's format, translation otherwise) →
 *   output guardrails → respond (JSON or stream) → usage, cost, guardrail events and the request log.
 */
import type { Context } from 'hono';
import { z } from 'zod';
import type { ChatResponse, Usage } from '../canonical/types.js';
import type { InboundFormat, ParsedInbound, RenderContext } from '../formats/types.js';
import { readJson } from '../../http/json-body.js';
import { clientGoneSignal } from '../../http/client-gone.js';
import { UnsupportedFeatureError, UpstreamProtocolError } from '../../providers/types.js';
import { computeCostMicroUsd } from '../../providers/catalog/cost.js';
import type { GatewayServices } from '../services.js';
import { responseCacheKey, type CachedResponse } from '../cache/response-cache.js';
import { redirectFailure, runAttempts, type Attempt, type AttemptOutcome, upstreamTimeouts } from './attempts.js';
import { routeOrThrow } from './route-request.js';
import { traceCacheLookup, traceGuardrails, traceLimits, traceRoute } from './step-spans.js';
import type { GatewayEnv } from './gateway-env.js';
import {
  clientStream,
  passthroughProcessor,
  primeStream,
  translatingProcessor,
  type FrameProcessor,
  type PrimedStream,
} from './sse-bridge.js';
import type { UpstreamBody } from '../upstream/http-client.js';
import type { RouteCandidate } from '../routing/resolve-route.js';
import { cacheDirective, portcullisHeaders } from './response-headers.js';
import { enforceLimits } from '../limits/enforce-limits.js';
import { RequestGuard } from '../guardrails/request-guard.js';
import { guardAnswer, guardRequest } from '../guardrails/guard-exchange.js';
import { guardedProcessor } from '../guardrails/guarded-processor.js';
import { streamTextRewriter } from '../guardrails/stream-rewriters.js';
import { countGuardrailEvents } from '../../observability/metrics.js';
import { deliveredTextRecorder, type DeliveredTextRecorder } from '../usage/delivered-text.js';
import { recordingProcessor } from '../usage/recording-processor.js';
import { countsDelivered, deliveredUsage, trackCount, type CountedUsage } from '../usage/delivered-usage.js';
import { providerCounter } from '../usage/provider-count.js';

type NonStreamed = { kind: 'json'; text: string; usage: Usage; servedModel: string | null };
type Streamed = {
  kind: 'stream';
  primed: PrimedStream;
  processor: FrameProcessor;
  body: UpstreamBody;
  /** What reached the client, for billing a stream cut before the provider's usage (providers the gateway counts). */
  delivered: DeliveredTextRecorder | undefined;
};

function costOf(candidate: RouteCandidate, usage: Usage): number | null {
  return candidate.catalog ? computeCostMicroUsd(candidate.catalog.pricing, usage) : null;
}

/**
 * An upper bound on the input tokens, for reservations that must never undershoot: a token
 * covers at least one byte of text, so the body's UTF-8 size bounds the text; images are billed
 * by pixels, not bytes, so each adds a fixed allowance above what providers charge for one.
 * It is taken before input guardrails run: a placeholder can be longer than the value it
 * replaces, but tokens run about four bytes each, so only a policy redacting single characters
 * en masse could push a request past it.
 */
const IMAGE_TOKEN_ALLOWANCE = 2_000;
function inputTokenBound(parsed: ParsedInbound): number {
  const images = parsed.request.messages.reduce((n, m) => n + m.content.filter((part) => part.type === 'image').length, 0);
  return Buffer.byteLength(JSON.stringify(parsed.raw)) + images * IMAGE_TOKEN_ALLOWANCE;
}

function parseUpstreamJson(text: string, attempt: Attempt): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UpstreamProtocolError(attempt.candidate.provider, `${attempt.candidate.provider} returned a response that is not JSON`);
  }
}

async function readError(attempt: Attempt, status: number, headers: Headers, body: UpstreamBody) {
  const text = await body.text().catch(() => '');
  return attempt.adapter.errorInfo(status, headers, text);
}

function refuseLossyTranslation(parsed: ParsedInbound, attempt: Attempt): void {
  const lost = [...parsed.unknownFields.map((f) => `parameter "${f}"`), ...(parsed.untranslatable ?? [])];
  if (lost.length > 0) {
    throw new UnsupportedFeatureError(
      attempt.candidate.provider,
      'untranslatable',
      `${attempt.candidate.provider} cannot take this request as sent: ${lost.slice(0, 10).join(', ')}`,
    );
  }
}

export async function handleChat(
  c: Context<GatewayEnv>,
  format: InboundFormat,
  services: GatewayServices,
  options: { upstreamTimeoutMs: number; requestTimeoutMs: number },
) {
  const project = c.get('project');
  const signal = clientGoneSignal(c);
  const log = c.get('log');
  const requestId = c.get('requestId');
  const received = format.parseRequest(await readJson(c, z.unknown()));
  const stream = received.request.stream;
  log.fields.model = received.request.model;
  log.fields.stream = stream;

  const candidates = traceRoute(received.request.model, () =>
    routeOrThrow(received.request.model, project, services, { mode: 'chat', keyAllowedModels: c.get('apiKey').allowedModels }),
  );
  // Limits before guardrails: scanning a large body costs CPU, and rate limits are what bound a
  // client's share of it. A blocked request settles its reservation at zero tokens.
  await traceLimits(() =>
    enforceLimits(c, services, candidates, {
      inputTokens: () => inputTokenBound(received),
      maxOutputTokens: received.request.maxTokens,
      choices: received.request.n,
    }),
  );

  // Input guardrails before the cache and the provider: a redacted request is what is cached and
  // sent. Events reach guardrail_events with the request log, however the request ends.
  const guard = new RequestGuard(project.guardrails, services.guardrailValueHash(project.orgId), services.guardrailScanPool);
  log.fields.guardrailEvents = guard.events;
  log.onFinish(() => countGuardrailEvents(guard.events));
  const parsed = await traceGuardrails('input', guard, () => guardRequest(format, received, guard));
  const settings = project.projectSettings;
  const renderContext: RenderContext = { requestedModel: parsed.request.model, requestId, requestBody: parsed.raw };
  const clientWantsUsage = (parsed.raw.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;

  // Exact-match cache, keyed by what would be sent and where.
  const directive = cacheDirective(c.req.header('cache-control'), c.req.header('x-portcullis-cache'));
  // Reversible redaction puts this request's own values back into the answer: such an answer
  // belongs to this request alone and is never cached (a request with other values behind the
  // same placeholders would get these).
  // Zero retention (an org setting): request metadata only — no stored bodies, no cached answers.
  const zeroRetention = project.orgSettings.retention.zeroRetention;
  const logBodies = settings.logBodies && !zeroRetention;
  const cacheOn = settings.cache.enabled && !guard.vault.reversible && !zeroRetention;
  const cacheKey = cacheOn
    ? responseCacheKey({
        orgId: project.orgId,
        projectId: project.projectId,
        format: format.id,
        route: candidates.map((x) => `${x.provider}/${x.model}@${x.providerKey.id}`),
        body: parsed.raw,
        policyVersion: project.guardrails.version,
      })
    : undefined;
  // A store that fails or hangs is a miss (bounded by the cache's timeout), never a failed request.
  if (cacheKey && directive.read) {
    const hit = await traceCacheLookup(() => services.responseCache.get(project.orgId, cacheKey));
    if (hit) return replayCached(c, hit);
  }
  log.fields.cacheStatus = !cacheOn ? 'off' : directive.read ? 'miss' : 'bypass';

  const result = await runAttempts<NonStreamed | Streamed>({
    candidates,
    services,
    orgId: project.orgId,
    maxRetries: settings.maxRetries,
    timeouts: upstreamTimeouts(settings, options),
    signal,
    execute: async (attempt): Promise<AttemptOutcome<NonStreamed | Streamed>> => {
      const { adapter, target } = attempt;
      const native = adapter.capabilities.native.includes(format.id) && adapter.passthroughRequest !== undefined;
      if (!native) refuseLossyTranslation(parsed, attempt);
      const request = native
        ? adapter.passthroughRequest!({ format: format.id, body: parsed.raw, target, stream, clientHeaders: c.req.header() })
        : adapter.chatRequest({ ...parsed.request, model: target.model }, target);
      const response = await services.upstream.send(request, { signal, timeoutMs: attempt.timeoutMs });
      if (response.status >= 300 && response.status < 400) {
        response.body.cancel();
        return { kind: 'failed', failure: redirectFailure(response.status) };
      }
      if (response.status >= 400 || response.status < 200)
        return { kind: 'failed', failure: await readError(attempt, response.status, response.headers, response.body) };
      if (!stream) {
        const text = await response.body.text();
        const json = parseUpstreamJson(text, attempt);
        if (native) {
          const read = adapter.passthroughResponseUsage!(format.id, json);
          return { kind: 'ok', value: { kind: 'json', text, usage: read.usage, servedModel: read.model ?? null } };
        }
        const canonical: ChatResponse = adapter.chatResponse(json);
        return {
          kind: 'ok',
          value: {
            kind: 'json',
            text: JSON.stringify(format.renderResponse(canonical, renderContext)),
            usage: canonical.usage,
            servedModel: canonical.model,
          },
        };
      }
      const plain = native
        ? passthroughProcessor(adapter.passthroughStreamObserver!(format.id, { clientWantsUsage }), (message, code) =>
            format.streamErrorFrames(message, code),
          )
        : translatingProcessor(adapter.chatStreamDecoder(), format.createStreamEncoder(renderContext));
      const guarded = guard.active
        ? guardedProcessor(plain, streamTextRewriter(format.id, guard), (message, code) => format.streamErrorFrames(message, code))
        : plain;
      const delivered = countsDelivered(attempt.candidate.provider) ? deliveredTextRecorder(format.id) : undefined;
      const processor = delivered ? recordingProcessor(guarded, delivered) : guarded;
      try {
        const primed = await primeStream(response.body, processor, new URL(target.baseUrl).host);
        return { kind: 'ok', value: { kind: 'stream', primed, processor, body: response.body, delivered } };
      } catch (error) {
        response.body.cancel();
        throw error;
      }
    },
  }).catch((error: unknown) => {
    const withAttempts = error as { attempts?: unknown; provider?: unknown };
    if (typeof withAttempts.attempts === 'number') log.fields.attempts = withAttempts.attempts;
    if (typeof withAttempts.provider === 'string') log.fields.provider = withAttempts.provider;
    throw error;
  });

  const { candidate } = result.attempt;
  log.fields.provider = candidate.provider;
  log.fields.attempts = result.attempts;
  const headers = portcullisHeaders({
    provider: candidate.provider,
    attempts: result.attempts,
    cache: cacheOn ? (directive.read ? 'MISS' : 'BYPASS') : undefined,
  });
  const value = result.value;

  // Stored bodies are what was sent and answered; with reversible redaction the answer holds
  // the request's original values, which are never stored, so it is left out.
  const storedAnswer = (answer: string | null) => (guard.vault.reversible ? null : answer);

  if (value.kind === 'json') {
    log.fields.servedModel = value.servedModel;
    log.fields.usage = value.usage;
    log.fields.costMicroUsd = costOf(candidate, value.usage);
    // A blocked answer was still generated, so it is billed above before the 400 goes out.
    const text = await traceGuardrails('output', guard, () => guardAnswer(format, value.text, guard));
    if (logBodies) log.fields.bodies = { request: JSON.stringify(parsed.raw), response: storedAnswer(text) };
    if (cacheKey && directive.write) {
      // Awaited so that a client repeating the request at once gets the HIT; set never rejects and
      // is bounded by the cache's timeout, so a failing store cannot cost the answer (already billed).
      await services.responseCache.set(
        project.orgId,
        cacheKey,
        { body: text, provider: candidate.provider, servedModel: value.servedModel, usage: value.usage },
        settings.cache.ttlSeconds,
      );
    }
    return c.body(text, 200, { ...headers, 'content-type': 'application/json' });
  }

  // Streamed: the log is finished when the stream ends, not when this handler returns.
  log.deferred = true;
  const body = clientStream({
    primed: value.primed,
    processor: value.processor,
    body: value.body,
    record: Boolean(cacheKey && directive.write) || logBodies,
    onFirstByte: () => log.markFirstToken(),
    onEnd: (completion) => {
      const endedAtMs = log.elapsedMs();
      const finishLog = ({ usage, source }: CountedUsage) => {
        log.fields.usage = usage;
        log.fields.usageSource = source;
        log.fields.servedModel = value.processor.servedModel() ?? null;
        // Billed on what was delivered, never on estimates: the provider's usage, or a count of it.
        log.fields.costMicroUsd = costOf(candidate, usage);
        if (logBodies)
          log.fields.bodies = { request: JSON.stringify(parsed.raw), response: storedAnswer(completion.sent?.join('') ?? null) };
        if (completion.outcome === 'complete' && cacheKey && directive.write && completion.sent) {
          const entry: CachedResponse = {
            frames: completion.sent,
            provider: candidate.provider,
            servedModel: log.fields.servedModel,
            usage,
          };
          void services.responseCache.set(project.orgId, cacheKey, entry, settings.cache.ttlSeconds); // never rejects
        }
        if (completion.outcome === 'complete') log.finish(200, null, endedAtMs);
        else if (completion.outcome === 'client_gone') log.finish(499, 'client_disconnected', endedAtMs);
        else if (completion.failure?.code === 'guardrail_blocked') log.finish(400, 'guardrail_blocked', endedAtMs);
        else log.finish(502, completion.failure?.code ?? 'upstream_stream_cut', endedAtMs);
      };
      const reported = value.processor.usage();
      if (completion.outcome === 'complete' || !value.delivered) return finishLog({ usage: reported, source: 'provider' });
      // Cut before the provider's final usage: count what was delivered, off the response path.
      const { adapter, target } = result.attempt;
      void trackCount(
        deliveredUsage({
          provider: candidate.provider,
          model: candidate.catalog?.id ?? candidate.model,
          reported,
          delivered: value.delivered.text(),
          request: parsed.request,
          counter: providerCounter(adapter, target, services.upstream),
          onCountFailed: (reason) =>
            c
              .get('logger')
              .warn({ provider: candidate.provider, reason }, 'delivered output not counted: billed on provider-reported usage'),
        }),
      ).then(finishLog);
    },
  });
  return c.body(body, 200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
}

function replayCached(c: Context<GatewayEnv>, hit: CachedResponse): Response {
  const log = c.get('log');
  log.fields.cacheStatus = 'hit';
  log.fields.provider = hit.provider;
  log.fields.servedModel = hit.servedModel;
  // A cache hit consumes no provider tokens: nothing to bill.
  log.fields.usage = null;
  log.fields.costMicroUsd = 0;
  const headers = portcullisHeaders({ provider: hit.provider, attempts: 0, cache: 'HIT' });
  if (hit.frames) {
    log.markFirstToken();
    return c.body(hit.frames.join(''), 200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
    });
  }
  return c.body(hit.body ?? '', 200, { ...headers, 'content-type': 'application/json' });
}
