/**
 * Helpers for driving a gateway fixture through the official OpenAI SDK, the way an application
 * does: `baseURL: <gateway>/v1`, a `pc_live_` key, no retries on the client side (so every retry
 * the tests see is the gateway's own).
 */
import OpenAI, { APIError } from 'openai';
import type { FakeUpstream, RecordedRequest } from '../fakes/fake-upstream.js';
import type { GatewayFixture } from './gateway.js';

export type JsonObject = Record<string, unknown>;

export function sdkClient(fixture: GatewayFixture, apiKey = fixture.apiKey): OpenAI {
  return new OpenAI({ apiKey, baseURL: `${fixture.gatewayUrl}/v1`, maxRetries: 0, timeout: 20_000 });
}

export function allFakes(fixture: GatewayFixture): FakeUpstream[] {
  return [fixture.openai, fixture.azure, fixture.compatible, fixture.anthropic, fixture.gemini];
}

/** Forgets recorded requests, scripted replies and faults on every fake provider. */
export function resetFakes(fixture: GatewayFixture): void {
  for (const fake of allFakes(fixture)) fake.reset();
}

/** The single request a fake received (fails the test when there were none or several). */
export function onlyRequest(fake: FakeUpstream): RecordedRequest {
  if (fake.requests.length !== 1) {
    throw new Error(
      `expected exactly one request to the fake ${fake.name}, got ${fake.requests.length}: ${fake.requests.map((r) => r.path).join(', ')}`,
    );
  }
  return fake.requests[0]!;
}

/** The JSON body of a recorded request, as an object. */
export function bodyOf(request: RecordedRequest): JsonObject {
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new Error(`request body is not a JSON object: ${request.rawBody}`);
  return body as JsonObject;
}

/** Every chunk of an SDK stream, in order. */
export async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

/** A raw HTTP call to the gateway, for what the SDK cannot send (malformed JSON, no key, oversize bodies). */
export async function rawPost(
  fixture: GatewayFixture,
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: unknown }> {
  const response = await fetch(`${fixture.gatewayUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, headers: response.headers, json };
}

/** A 1×1 transparent PNG. */
export const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
export const PNG_DATA_URL = `data:image/png;base64,${PNG_BASE64}`;

/** The error the SDK raised (fails when the call succeeded or threw something else). */
export async function sdkError(promise: Promise<unknown>): Promise<APIError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof APIError) return error;
    throw error;
  }
  throw new Error('expected the SDK call to fail');
}
