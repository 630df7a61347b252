/**
 * The one shape every provider adapter has (`src/providers/<id>/index.ts` exports a
 * ProviderAdapter). Adapters translate only: they build upstream requests and read upstream
 * responses and streams. They never perform I/O, never read configuration, never log.
 */
import type { ChatRequest, ChatResponse, EmbeddingsRequest, EmbeddingsResponse, StreamEvent, Usage } from '../gateway/canonical/types.js';
import type { ProviderId } from './ids.js';
import type { SseEvent } from './sse.js';

/** The API formats the gateway serves; a provider that speaks one natively gets the client's body forwarded. */
export type ApiFormat = 'openai-chat' | 'openai-responses' | 'anthropic-messages';

/** Where and as whom to call: resolved from the org's provider key and the route. */
export type UpstreamTarget = {
  /** Without a trailing slash; the provider key's override or the adapter's default. */
  baseUrl: string;
  apiKey: string;
  /** The model id the provider expects (for Azure OpenAI: the deployment name). */
  model: string;
  /** Provider-specific settings stored with the provider key (e.g. Azure `apiVersion`). */
  options: Readonly<Record<string, unknown>>;
};

export type UpstreamRequest = {
  url: string;
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  /** JSON text; undefined for GET. */
  body?: string;
};

export type ProviderCapabilities = {
  /** Inbound formats forwarded as-is (model and auth rewritten) instead of translated. */
  native: readonly ApiFormat[];
  embeddings: boolean;
  countTokens: boolean;
  /** Largest `n` (choices per request) the provider accepts; 1 = no n > 1. */
  maxChoices: number;
};

/**
 * A request the provider cannot express (e.g. n > 1 on Anthropic, json_schema on a provider
 * without structured output). The gateway answers 400 with this message; it never silently drops
 * a parameter the client relied on.
 */
export class UnsupportedFeatureError extends Error {
  constructor(
    readonly provider: ProviderId,
    readonly feature: string,
    message?: string,
  ) {
    super(message ?? `${feature} is not supported by ${provider}`);
    this.name = 'UnsupportedFeatureError';
  }
}

/** An upstream response the adapter could not read (schema drift, truncated JSON). Treated as a 502. */
export class UpstreamProtocolError extends Error {
  constructor(
    readonly provider: ProviderId,
    message: string,
  ) {
    super(message);
    this.name = 'UpstreamProtocolError';
  }
}

/**
 * What an upstream error means for the client and for routing. `message` is safe to show: the
 * adapter extracts the provider's own error message (never echoing the API key) and nothing else.
 */
export type UpstreamErrorInfo = {
  status: number;
  /** OpenAI-style error type, e.g. invalid_request_error, rate_limit_error, api_error. */
  type: string;
  code: string;
  message: string;
  /** 429, 5xx, overloaded: another attempt or another provider may succeed. 4xx caused by the request: no. */
  retryable: boolean;
  /** Seconds, from retry-after / retry-after-ms / provider body, when given. */
  retryAfterSeconds?: number;
};

/** Stateful: one per streamed response. */
export type StreamDecoder = {
  /** One upstream SSE event in, zero or more canonical events out. */
  push(event: SseEvent): StreamEvent[];
  /**
   * The upstream stream ended. Emits what is still owed (e.g. a final usage event). If the
   * provider's terminal event never came, emits an `error` event: the stream was cut off.
   */
  end(): StreamEvent[];
};

/**
 * Watches a passed-through native stream: extracts usage (for billing) and says whether to forward
 * each event unchanged. Used when the inbound format is the provider's own.
 */
export type PassthroughStreamObserver = {
  /** `forward: false` drops an event the client did not ask for (e.g. the usage-only chunk when
   * the client did not set stream_options.include_usage but the gateway did). */
  observe(event: SseEvent): { forward: boolean };
  /** Usage seen so far (cumulative). */
  usage(): Usage;
  /** True once the provider's terminal event arrived ([DONE], message_stop, response.completed). */
  completed(): boolean;
  /** The model the provider reports having used, once known. */
  servedModel(): string | undefined;
  /**
   * The provider reported an error inside the stream (an in-band error chunk, `response.failed`,
   * Anthropic's `error` event). The event itself was forwarded, so the client already has an error
   * in its own format; the gateway must not count the answer as complete, bill it as one or cache it.
   */
  failure?(): { message: string; code: string } | undefined;
};

export type PassthroughRequestInput = {
  format: ApiFormat;
  /** The client's JSON body, already validated by the inbound format's schema. */
  body: Record<string, unknown>;
  target: UpstreamTarget;
  stream: boolean;
  /**
   * Which endpoint of the native API the client called; default 'chat'. 'count_tokens' exists for
   * Anthropic's /v1/messages/count_tokens, whose body a translation would lose detail of.
   */
  operation?: 'chat' | 'count_tokens';
  /**
   * The client's request headers, names lower-cased. Each adapter forwards only the few on its own
   * allow-list that change how the native body is read (Anthropic: `anthropic-version`,
   * `anthropic-beta`), after validating their syntax; never authentication headers.
   */
  clientHeaders?: Readonly<Record<string, string>>;
};

export type ProviderAdapter = {
  readonly id: ProviderId;
  /** Undefined when there is no public default (openai-compatible, azure-openai): the key must carry a base URL. */
  readonly defaultBaseUrl: string | undefined;
  readonly capabilities: ProviderCapabilities;

  /** Canonical → wire. Throws UnsupportedFeatureError for what the provider cannot express. */
  chatRequest(request: ChatRequest, target: UpstreamTarget): UpstreamRequest;
  /** Wire → canonical, for a non-streamed response body (parsed JSON). */
  chatResponse(body: unknown): ChatResponse;
  chatStreamDecoder(): StreamDecoder;

  /** For inbound formats listed in capabilities.native. */
  passthroughRequest?(input: PassthroughRequestInput): UpstreamRequest;
  /** Usage and served model from a passed-through non-streamed response body. */
  passthroughResponseUsage?(format: ApiFormat, body: unknown): { usage: Usage; model: string | undefined };
  passthroughStreamObserver?(format: ApiFormat, options: { clientWantsUsage: boolean }): PassthroughStreamObserver;

  embeddingsRequest?(request: EmbeddingsRequest, target: UpstreamTarget): UpstreamRequest;
  embeddingsResponse?(body: unknown): EmbeddingsResponse;

  countTokensRequest?(request: ChatRequest, target: UpstreamTarget): UpstreamRequest;
  countTokensResponse?(body: unknown): { inputTokens: number };

  /** Reads an upstream error response (status, headers, body text) into something safe to act on and show. */
  errorInfo(status: number, headers: Headers, body: string): UpstreamErrorInfo;
};
