/**
 * The gateway service (`/v1/*`, port 4000): OpenAI- and Anthropic-compatible endpoints.
 * Per request: request id → in-flight cap (per process) → body limit → API-key authentication
 * (cached) → project context (cached) → org concurrency limit → handler (route, cache, provider call
 * with retry/fallback, respond) → one request log.
 */
import { Hono } from 'hono';
import { gatewayCors } from '../http/cors.js';
import { HttpError, toHttpError } from '../http/errors.js';
import { gatewaySecurityHeaders } from '../http/security-headers.js';
import { createServiceApp } from '../http/service-app.js';
import type { AppEnv } from '../http/types.js';
import type { Runtime } from '../server/runtime.js';
import { presentedApiKey } from './authenticate.js';
import { ipAllowed } from './auth/ip-allowlist.js';
import { ProjectNotFoundError } from './context/project-context.js';
import { anthropicMessagesFormat } from './formats/anthropic-messages/index.js';
import { openaiChatFormat } from './formats/openai-chat/index.js';
import { openaiResponsesFormat } from './formats/openai-responses/index.js';
import { ClientAbortedError } from './pipeline/attempts.js';
import { handleChat } from './pipeline/chat-handler.js';
import { handleCountTokens } from './pipeline/count-tokens-handler.js';
import { handleEmbeddings } from './pipeline/embeddings-handler.js';
import type { GatewayEnv } from './pipeline/gateway-env.js';
import { toLogEntry } from './pipeline/log-entry.js';
import { RequestLogRecorder } from './pipeline/log-recorder.js';
import { handleGetModel, handleListModels } from './pipeline/models-handler.js';
import { traceAuthentication, traceLogEnqueue } from './pipeline/step-spans.js';
import { createInFlightCap } from './overload/in-flight-cap.js';
import { withOrgConcurrencySlot } from './overload/enforce-org-concurrency.js';
import type { GatewayServices } from './services.js';
import { watchGatewayRequest } from '../alerts/gateway-hooks.js';
import { countGatewayRequest } from '../observability/gateway-metrics.js';

/** The code recorded in the request log: the error's own code, or a generic one for a bare status. */
function errorCode(error: Error | undefined, status: number): string | null {
  if (error) return toHttpError(error)?.code ?? 'internal_error';
  return status >= 400 ? `http_${status}` : null;
}

export function createGatewayApp(runtime: Runtime, services: GatewayServices): Hono<AppEnv> {
  const { config } = runtime;
  const app = createServiceApp({
    logger: runtime.logger,
    trustProxy: config.trustProxy,
    maxBodyBytes: config.gatewayMaxBodyBytes,
    securityHeaders: gatewaySecurityHeaders({ hsts: config.tls !== undefined }),
    ready: () => runtime.ping(),
    traceAs: 'gateway',
    // Overload protection, before authentication and body parsing (docs/scaling.md).
    admission: { path: '/v1/*', middleware: createInFlightCap(config.gatewayMaxInFlight).middleware },
    metrics: { service: 'gateway', exposure: config.metrics },
  });
  const upstream = { upstreamTimeoutMs: config.upstreamTimeoutMs, requestTimeoutMs: config.requestTimeoutMs };
  const v1 = new Hono<GatewayEnv>();

  // Authentication, project context, and exactly one request log per authenticated request.
  v1.use('*', async (c, next) => {
    const key = await traceAuthentication(() => services.authenticate(presentedApiKey(c), c.get('clientIp')));
    let project;
    try {
      project = await services.projectContexts.get(`${key.orgId}:${key.projectId}`);
    } catch (error) {
      if (error instanceof ProjectNotFoundError)
        throw new HttpError(401, 'authentication_error', 'invalid_api_key', 'This API key belongs to a project that no longer exists.');
      throw error;
    }
    // Key restrictions, before anything is spent on the request. Logged like any other refusal.
    const refusal =
      project.orgDeletionScheduledFor !== null
        ? new HttpError(
            403,
            'permission_error',
            'org_deletion_scheduled',
            `This API key's organization is scheduled for deletion (at ${project.orgDeletionScheduledFor.toISOString()}); its keys are refused until an owner cancels the deletion.`,
          )
        : key.ipAllowlist && !ipAllowed(c.get('clientIp'), key.ipAllowlist)
          ? new HttpError(403, 'permission_error', 'ip_not_allowed', 'This API key may not be used from your network address.')
          : undefined;
    const log = new RequestLogRecorder(
      { orgId: key.orgId, projectId: key.projectId, apiKeyId: key.id, requestId: c.get('requestId'), endpoint: c.req.path },
      (fields) => {
        countGatewayRequest(fields);
        traceLogEnqueue(fields, () => services.logWriter.enqueue(toLogEntry(fields)));
      },
    );
    c.set('apiKey', key);
    c.set('project', project);
    c.set('log', log);
    // Security-alert signals (the key's network now, a guardrail block at the end); never awaited.
    const { securityAlerts } = project.orgSettings;
    watchGatewayRequest(
      services.securityAlerts,
      { orgId: key.orgId, projectId: key.projectId, apiKeyId: key.id, clientIp: c.get('clientIp'), settings: securityAlerts },
      log,
    );
    if (refusal) {
      log.finish(refusal.status, refusal.code);
      throw refusal;
    }
    await withOrgConcurrencySlot(c, runtime.store, next);
    // Hono has already turned a thrown error into the response (app.onError); c.error keeps it.
    const error = c.error;
    if (error instanceof ClientAbortedError) {
      log.fields.attempts = Math.max(log.fields.attempts, error.attempts);
      log.fields.provider ??= error.provider;
    }
    if (!log.deferred) log.finish(c.res.status, errorCode(error, c.res.status));
  });

  v1.post('/chat/completions', (c) => handleChat(c, openaiChatFormat, services, upstream));
  v1.post('/responses', (c) => handleChat(c, openaiResponsesFormat, services, upstream));
  v1.post('/messages', (c) => handleChat(c, anthropicMessagesFormat, services, upstream));
  v1.post('/messages/count_tokens', (c) => handleCountTokens(c, services, upstream));
  v1.post('/embeddings', (c) => handleEmbeddings(c, services, upstream));
  v1.get('/models', (c) => handleListModels(c));
  v1.get('/models/:id{.+}', (c) => handleGetModel(c, c.req.param('id')));

  // Browser access only for GATEWAY_CORS_ORIGINS (none by default); preflights are answered
  // before authentication, which they never carry.
  const cors = gatewayCors(config.gatewayCorsOrigins);
  if (cors) app.use('/v1/*', cors);
  app.route('/v1', v1);
  return app;
}
