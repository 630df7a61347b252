/**
 * A fake Google Gemini (AI Studio, v1beta) on top of fake-upstream.ts. It validates requests the way the real
 * API does where a translation bug would show: the `x-goog-api-key` header (missing → 403 PERMISSION_DENIED,
 * wrong → 400 INVALID_ARGUMENT/API_KEY_INVALID, as Google answers), unknown fields (Google rejects them with
 * "Invalid JSON payload received. Unknown name …"), `contents` present and non-empty, roles only user/model,
 * and it answers in Google's error shape.
 *
 * Deliberately stricter than Google in one respect: a key in the `?key=` query parameter is ignored, so a
 * regression to query-string auth (which leaks keys into logs) fails loudly with 403.
 *
 * The model id and method share one path segment (`gemini-2.5-flash:generateContent`), so there is a single
 * route `/v1beta/models/:modelAction` split on the last ':'.
 */
import {
  chunkText,
  startFakeUpstream,
  type FakeUpstream,
  type RecordedRequest,
  type RouteResult,
  type ScriptedReply,
} from './fake-upstream.js';

export const DEFAULT_FAKE_GEMINI_KEY = 'fake-gemini-key';

export type FakeGemini = FakeUpstream & { readonly apiKey: string };

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Google's error body. */
export function googleError(code: number, status: string, message: string, details?: unknown[]): { error: Json } {
  return { error: { code, message, status, ...(details ? { details } : {}) } };
}

const invalid = (message: string): RouteResult => ({ kind: 'error', status: 400, body: googleError(400, 'INVALID_ARGUMENT', message) });

const GENERATE_FIELDS = new Set([
  'contents',
  'systemInstruction',
  'tools',
  'toolConfig',
  'generationConfig',
  'safetySettings',
  'cachedContent',
]);
const GENERATION_CONFIG_FIELDS = new Set([
  'stopSequences',
  'responseMimeType',
  'responseSchema',
  'responseJsonSchema',
  'candidateCount',
  'maxOutputTokens',
  'temperature',
  'topP',
  'topK',
  'seed',
  'presencePenalty',
  'frequencyPenalty',
  'responseLogprobs',
  'logprobs',
  'thinkingConfig',
  'responseModalities',
  'mediaResolution',
]);
const THINKING_FIELDS = new Set(['thinkingBudget', 'thinkingLevel', 'includeThoughts']);
const PART_FIELDS = new Set(['text', 'thought', 'thoughtSignature', 'inlineData', 'fileData', 'functionCall', 'functionResponse']);
const DECLARATION_FIELDS = new Set(['name', 'description', 'parameters', 'parametersJsonSchema', 'response', 'responseJsonSchema']);

function unknownField(object: Json, allowed: Set<string>, where: string): RouteResult | undefined {
  const extra = Object.keys(object).find((key) => !allowed.has(key));
  return extra === undefined
    ? undefined
    : invalid(`Invalid JSON payload received. Unknown name "${extra}" at '${where}': Cannot find field.`);
}

function validateParts(parts: unknown, where: string): RouteResult | undefined {
  if (!Array.isArray(parts) || parts.length === 0) return invalid(`* ${where}.parts: contents.parts must not be empty.`);
  for (const [i, part] of parts.entries()) {
    if (!isObject(part)) return invalid(`* ${where}.parts[${i}]: must be an object`);
    const problem = unknownField(part, PART_FIELDS, `${where}.parts[${i}]`);
    if (problem) return problem;
    if (part.functionCall !== undefined && (!isObject(part.functionCall) || typeof part.functionCall.name !== 'string')) {
      return invalid(`* ${where}.parts[${i}].function_call.name: Name cannot be empty.`);
    }
    if (part.functionCall !== undefined && isObject(part.functionCall) && !isObject(part.functionCall.args ?? {})) {
      return invalid(`* ${where}.parts[${i}].function_call.args: must be an object`);
    }
    if (part.functionResponse !== undefined) {
      const fr = part.functionResponse;
      if (!isObject(fr) || typeof fr.name !== 'string' || fr.name === '')
        return invalid(`* ${where}.parts[${i}].function_response.name: Name cannot be empty.`);
      if (!isObject(fr.response)) return invalid(`* ${where}.parts[${i}].function_response.response: must be an object`);
    }
  }
  return undefined;
}

/** Validates a GenerateContentRequest body (also the one nested in countTokens). */
export function validateGenerateRequest(body: unknown, where = 'GenerateContentRequest'): RouteResult | undefined {
  if (!isObject(body)) return invalid('Invalid JSON payload received.');
  const problem = unknownField(body, where === 'GenerateContentRequest' ? GENERATE_FIELDS : new Set([...GENERATE_FIELDS, 'model']), where);
  if (problem) return problem;
  const contents = body.contents;
  if (!Array.isArray(contents) || contents.length === 0) return invalid(`* ${where}.contents: contents is not specified`);
  for (const [i, content] of contents.entries()) {
    if (!isObject(content)) return invalid(`* ${where}.contents[${i}]: must be an object`);
    if (content.role !== undefined && content.role !== 'user' && content.role !== 'model') {
      return invalid('Please use a valid role: user, model.');
    }
    const partProblem = validateParts(content.parts, `${where}.contents[${i}]`);
    if (partProblem) return partProblem;
  }
  if (body.systemInstruction !== undefined) {
    if (!isObject(body.systemInstruction)) return invalid(`* ${where}.system_instruction: must be an object`);
    const partProblem = validateParts(body.systemInstruction.parts, `${where}.system_instruction`);
    if (partProblem) return partProblem;
  }
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) return invalid(`* ${where}.tools: must be a list`);
    for (const tool of body.tools) {
      const declarations = isObject(tool) ? tool.functionDeclarations : undefined;
      if (!Array.isArray(declarations)) continue;
      for (const declaration of declarations) {
        if (!isObject(declaration) || typeof declaration.name !== 'string')
          return invalid(`* ${where}.tools.function_declarations.name: required`);
        const declarationProblem = unknownField(declaration, DECLARATION_FIELDS, `${where}.tools.function_declarations`);
        if (declarationProblem) return declarationProblem;
        if (declaration.parameters !== undefined && declaration.parametersJsonSchema !== undefined) {
          return invalid('parameters and parameters_json_schema are mutually exclusive');
        }
      }
    }
  }
  const config = body.generationConfig;
  if (config !== undefined) {
    if (!isObject(config)) return invalid(`* ${where}.generation_config: must be an object`);
    const configProblem = unknownField(config, GENERATION_CONFIG_FIELDS, `${where}.generation_config`);
    if (configProblem) return configProblem;
    if (
      config.candidateCount !== undefined &&
      (typeof config.candidateCount !== 'number' || config.candidateCount < 1 || config.candidateCount > 8)
    ) {
      return invalid('candidateCount must be in the range [1, 8]');
    }
    if (config.thinkingConfig !== undefined) {
      if (!isObject(config.thinkingConfig)) return invalid('thinking_config must be an object');
      const thinkingProblem = unknownField(config.thinkingConfig, THINKING_FIELDS, `${where}.generation_config.thinking_config`);
      if (thinkingProblem) return thinkingProblem;
      if (config.thinkingConfig.thinkingBudget !== undefined && config.thinkingConfig.thinkingLevel !== undefined) {
        return invalid('You can only set only one of thinking budget and thinking level.');
      }
    }
  }
  return undefined;
}

function checkKey(request: RecordedRequest, apiKey: string): RouteResult | undefined {
  const key = request.headers['x-goog-api-key'];
  if (typeof key !== 'string' || key === '') {
    return {
      kind: 'error',
      status: 403,
      body: googleError(
        403,
        'PERMISSION_DENIED',
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      ),
    };
  }
  if (key !== apiKey) {
    return {
      kind: 'error',
      status: 400,
      body: googleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
        { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' },
      ]),
    };
  }
  return undefined;
}

const FINISH: Record<NonNullable<ScriptedReply['finishReason']>, string> = {
  stop: 'STOP',
  length: 'MAX_TOKENS',
  tool_calls: 'STOP',
  content_filter: 'SAFETY',
};

function usageMetadata(reply: ScriptedReply): Json | undefined {
  const usage = reply.usage;
  if (!usage) return undefined;
  const thoughts = usage.reasoning ?? 0;
  return {
    promptTokenCount: usage.input,
    candidatesTokenCount: usage.output - thoughts,
    totalTokenCount: usage.input + usage.output,
    ...(usage.cached ? { cachedContentTokenCount: usage.cached } : {}),
    ...(thoughts ? { thoughtsTokenCount: thoughts } : {}),
  };
}

function functionCallParts(reply: ScriptedReply): Json[] {
  // Like Gemini 3, the signature travels on the first function call of the turn.
  return (reply.toolCalls ?? []).map((call, i) => ({
    functionCall: { id: call.id, name: call.name, args: JSON.parse(call.arguments || '{}') as unknown },
    ...(i === 0 && reply.reasoning?.signature ? { thoughtSignature: reply.reasoning.signature } : {}),
  }));
}

/** The whole answer as one candidate's parts (non-streamed form). */
function replyParts(reply: ScriptedReply): Json[] {
  const parts: Json[] = [];
  if (reply.reasoning) parts.push({ text: reply.reasoning.text, thought: true });
  const calls = functionCallParts(reply);
  if (reply.text !== undefined) {
    // Without function calls, Gemini signs the last text part.
    const signature = calls.length === 0 ? reply.reasoning?.signature : undefined;
    parts.push({ text: reply.text, ...(signature ? { thoughtSignature: signature } : {}) });
  }
  parts.push(...calls);
  return parts;
}

type Rendering = { model: string; candidates: number; responseId: string };

function candidatesOf(parts: Json[], count: number, finishReason?: string): Json[] {
  return Array.from({ length: count }, (_, index) => ({
    content: { role: 'model', parts },
    ...(finishReason ? { finishReason } : {}),
    index,
  }));
}

function renderResponse(reply: ScriptedReply, r: Rendering): Json {
  const usage = usageMetadata(reply);
  return {
    candidates: candidatesOf(replyParts(reply), r.candidates, FINISH[reply.finishReason ?? 'stop']),
    ...(usage ? { usageMetadata: usage } : {}),
    modelVersion: reply.model ?? r.model,
    responseId: r.responseId,
  };
}

/** The answer as a sequence of partial responses, the way streamGenerateContent sends it. */
function renderChunks(reply: ScriptedReply, r: Rendering): Json[] {
  const pieces: Json[][] = [];
  if (reply.reasoning) for (const text of chunkText(reply.reasoning.text)) pieces.push([{ text, thought: true }]);
  if (reply.text !== undefined) for (const text of chunkText(reply.text)) pieces.push([{ text }]);
  const calls = functionCallParts(reply);
  if (calls.length > 0) pieces.push(calls);
  // Without function calls the signature comes last, on an empty text part (as Gemini 3 streams it).
  else if (reply.reasoning?.signature) pieces.push([{ text: '', thoughtSignature: reply.reasoning.signature }]);
  if (pieces.length === 0) pieces.push([{ text: '' }]);

  const usage = usageMetadata(reply);
  const meta = { modelVersion: reply.model ?? r.model, responseId: r.responseId };
  return pieces.map((parts, i) => {
    const last = i === pieces.length - 1;
    const partialUsage = usage ? (last ? usage : { promptTokenCount: usage.promptTokenCount }) : undefined;
    return {
      candidates: candidatesOf(parts, r.candidates, last ? FINISH[reply.finishReason ?? 'stop'] : undefined),
      ...(partialUsage ? { usageMetadata: partialUsage } : {}),
      ...meta,
    };
  });
}

/** A deterministic vector per text, so tests can tell inputs apart. */
function fakeEmbedding(text: string, dimensions: number): number[] {
  let seed = 0;
  for (const ch of text) seed = (seed * 31 + ch.codePointAt(0)!) % 1_000_003;
  return Array.from({ length: dimensions }, (_, i) => Math.round(Math.sin(seed + i) * 1e6) / 1e6);
}

function splitModelAction(modelAction: string): { model: string; action: string } | undefined {
  const at = modelAction.lastIndexOf(':');
  if (at <= 0) return undefined;
  return { model: modelAction.slice(0, at), action: modelAction.slice(at + 1) };
}

export async function startFakeGemini(options: { apiKey?: string } = {}): Promise<FakeGemini> {
  const apiKey = options.apiKey ?? DEFAULT_FAKE_GEMINI_KEY;
  let served = 0;

  const handle = (request: RecordedRequest, reply: ScriptedReply, modelAction: string): RouteResult => {
    const keyProblem = checkKey(request, apiKey);
    if (keyProblem) return keyProblem;
    const target = splitModelAction(modelAction);
    const notFound = (): RouteResult => ({
      kind: 'error',
      status: 404,
      body: googleError(
        404,
        'NOT_FOUND',
        `models/${modelAction} is not found for API version v1beta, or is not supported for this method.`,
      ),
    });
    if (!target) return notFound();
    const { model, action } = target;
    if (request.body === undefined && request.rawBody !== '') return invalid('Invalid JSON payload received.');
    const body: unknown = request.body;
    const rendering = (): Rendering => {
      const config = isObject(body) && isObject(body.generationConfig) ? body.generationConfig : {};
      const count = typeof config.candidateCount === 'number' ? config.candidateCount : 1;
      return { model, candidates: count, responseId: `fake-gemini-${++served}` };
    };

    switch (action) {
      case 'generateContent': {
        const problem = validateGenerateRequest(body);
        if (problem) return problem;
        return { kind: 'json', body: renderResponse(reply, rendering()) };
      }
      case 'streamGenerateContent': {
        const problem = validateGenerateRequest(body);
        if (problem) return problem;
        const chunks = renderChunks(reply, rendering());
        // Without alt=sse the real endpoint answers one JSON array of the partial responses.
        if (request.query.get('alt') !== 'sse') return { kind: 'json', body: chunks };
        return { kind: 'sse', frames: chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\r\n\r\n`) };
      }
      case 'countTokens': {
        if (!isObject(body)) return invalid('Invalid JSON payload received.');
        const extra = unknownField(body, new Set(['contents', 'generateContentRequest']), 'CountTokensRequest');
        if (extra) return extra;
        if (body.contents !== undefined && body.generateContentRequest !== undefined) {
          return invalid('contents and generate_content_request are mutually exclusive.');
        }
        const inner = body.generateContentRequest;
        if (inner !== undefined) {
          if (!isObject(inner) || inner.model !== `models/${model}`)
            return invalid('* CountTokensRequest.generate_content_request.model: model mismatch');
          const problem = validateGenerateRequest(inner, 'CountTokensRequest.generate_content_request');
          if (problem) return problem;
        } else {
          const problem = validateGenerateRequest({ contents: body.contents }, 'CountTokensRequest');
          if (problem) return problem;
        }
        return { kind: 'json', body: { totalTokens: reply.usage?.input ?? 0 } };
      }
      case 'batchEmbedContents': {
        if (!isObject(body) || !Array.isArray(body.requests) || body.requests.length === 0) {
          return invalid('* BatchEmbedContentsRequest.requests: requests is not specified');
        }
        if (body.requests.length > 100) return invalid('* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch');
        const embeddings: Json[] = [];
        for (const [i, item] of body.requests.entries()) {
          if (!isObject(item)) return invalid(`* BatchEmbedContentsRequest.requests[${i}]: must be an object`);
          if (item.model !== `models/${model}`) {
            return invalid(`* BatchEmbedContentsRequest.requests[${i}].model: model must match the batch model models/${model}`);
          }
          const parts = isObject(item.content) ? item.content.parts : undefined;
          if (!Array.isArray(parts) || parts.length === 0) return invalid(`* BatchEmbedContentsRequest.requests[${i}].content: required`);
          const text = parts.map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : '')).join('');
          const dimensions = typeof item.outputDimensionality === 'number' ? item.outputDimensionality : 8;
          embeddings.push({ values: fakeEmbedding(text, dimensions) });
        }
        return { kind: 'json', body: { embeddings } };
      }
      default:
        return notFound();
    }
  };

  const upstream = await startFakeUpstream({
    name: 'gemini',
    routes: [
      {
        method: 'POST',
        pattern: '/v1beta/models/:modelAction',
        handle: ({ request, reply, params }) => handle(request, reply, params.modelAction ?? ''),
      },
    ],
    defaultReply: (request) => ({
      text: `Hello from ${splitModelAction(request.path.split('/').pop() ?? '')?.model ?? 'the fake'}.`,
      usage: { input: 11, output: 7 },
      finishReason: 'stop',
    }),
  });
  return Object.assign(upstream, { apiKey });
}
