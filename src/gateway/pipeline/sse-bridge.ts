/**
 * Moves a streamed upstream response to the client. Two modes share this plumbing:
 *   - translate: upstream SSE → provider decoder → canonical events → client format encoder;
 *   - passthrough: upstream SSE in the client's own format → observer (usage, completion) → the
 *     same events re-framed unchanged.
 * `prime` reads until the first frame for the client exists, BEFORE any byte is sent: until then
 * a failure can still fall back to another provider. After that there is no silent switch — a
 * failure ends the client's stream with an error in its own format.
 */
import { TextDecoder } from 'node:util';
import type { StreamEvent, Usage } from '../canonical/types.js';
import { emptyUsage } from '../canonical/types.js';
import type { StreamEncoder } from '../formats/types.js';
import type { PassthroughStreamObserver, StreamDecoder } from '../../providers/types.js';
import { createSseParser, formatSse, type SseEvent } from '../../providers/sse.js';
import type { UpstreamBody } from '../upstream/http-client.js';
import { UpstreamNetworkError } from '../upstream/errors.js';
import { appendAll } from '../../append-all.js';

/** Turns upstream SSE events into client frames, and says how the stream went. */
export type FrameProcessor = {
  process(event: SseEvent): string[];
  /** Upstream ended (cleanly or not): the closing frames, including an error frame when the answer is incomplete. */
  finish(failure: { message: string; code: string } | undefined): string[];
  usage(): Usage;
  servedModel(): string | undefined;
  /** True when the upstream answer was complete (its terminal event arrived and no error was seen). */
  completed(): boolean;
  /** An error the provider reported in-band, when it did (or why the gateway stopped the answer). */
  failure?(): { message: string; code: string } | undefined;
  /** True once the processor has ended the client's stream itself (a guardrail blocked the answer): stop reading upstream. */
  halted?(): boolean;
};

export function translatingProcessor(decoder: StreamDecoder, encoder: StreamEncoder): FrameProcessor {
  let usage = emptyUsage();
  let model: string | undefined;
  let finished = false;
  let failed = false;
  const encode = (events: StreamEvent[]) => {
    const frames: string[] = [];
    for (const event of events) {
      if (event.type === 'usage') usage = event.usage;
      else if (event.type === 'start') model = event.model;
      else if (event.type === 'finish') finished = true;
      else if (event.type === 'error') failed = true;
      appendAll(frames, encoder.encode(event));
    }
    return frames;
  };
  return {
    process: (event) => encode(decoder.push(event)),
    finish(failure) {
      const frames = encode(decoder.end());
      if (failure && !failed) appendAll(frames, encoder.encode({ type: 'error', message: failure.message, code: failure.code }));
      if (failure) failed = true;
      return [...frames, ...encoder.end()];
    },
    usage: () => usage,
    servedModel: () => model,
    completed: () => finished && !failed,
  };
}

export function passthroughProcessor(
  observer: PassthroughStreamObserver,
  errorFrames: (message: string, code: string) => string[],
): FrameProcessor {
  let failed = false;
  return {
    process(event) {
      return observer.observe(event).forward ? [formatSse(event.data, event.event)] : [];
    },
    finish(failure) {
      if (!failure && observer.completed()) return [];
      failed = true;
      // The provider's own error event already reached the client in its format: add nothing.
      if (!failure && observer.failure?.()) return [];
      return errorFrames(
        failure?.message ?? 'The provider ended the stream before the answer was complete.',
        failure?.code ?? 'upstream_stream_cut',
      );
    },
    usage: () => observer.usage(),
    servedModel: () => observer.servedModel(),
    completed: () => observer.completed() && !failed && !observer.failure?.(),
    failure: () => observer.failure?.(),
  };
}

export type PrimedStream = {
  /** Frames ready to send first. */
  frames: string[];
  /** The rest of the stream; pull until done. */
  rest: AsyncIterator<Uint8Array>;
  decoder: TextDecoder;
  parser: ReturnType<typeof createSseParser>;
  /** True when the upstream already ended during priming (a short answer). */
  ended: boolean;
};

/**
 * Reads the upstream body until the processor yields the first client frame. A stream that ends
 * or breaks before that is a failed attempt (retryable: nothing reached the client).
 */
export async function primeStream(body: UpstreamBody, processor: FrameProcessor, host: string): Promise<PrimedStream> {
  const rest = body[Symbol.asyncIterator]();
  const decoder = new TextDecoder();
  const parser = createSseParser();
  const frames: string[] = [];
  for (;;) {
    const next = await rest.next();
    if (next.done) {
      for (const event of parser.push(decoder.decode())) appendAll(frames, processor.process(event));
      for (const event of parser.end()) appendAll(frames, processor.process(event));
      if (frames.length === 0)
        throw new UpstreamNetworkError('reset', host, `The provider at ${host} ended the stream without sending anything.`);
      return { frames, rest, decoder, parser, ended: true };
    }
    for (const event of parser.push(decoder.decode(next.value, { stream: true }))) appendAll(frames, processor.process(event));
    if (frames.length > 0) return { frames, rest, decoder, parser, ended: false };
  }
}

export type StreamCompletion = {
  /** 'complete': the answer ended normally; 'failed': the upstream broke or sent an error; 'client_gone': the client disconnected. */
  outcome: 'complete' | 'failed' | 'client_gone';
  failure?: { message: string; code: string };
  /** Every frame sent, in order (for the response cache), or undefined once over the limit. */
  sent: string[] | undefined;
};

const MAX_RECORDED_BYTES = 2 * 1024 * 1024;

/**
 * The client-facing body: primed frames, then the rest of the upstream stream through the
 * processor, then its closing frames. `onFirstByte` fires when the first frame is handed to the
 * client; `onEnd` exactly once, however the stream ends.
 */
export function clientStream(options: {
  primed: PrimedStream;
  processor: FrameProcessor;
  body: UpstreamBody;
  record: boolean;
  onFirstByte(): void;
  onEnd(completion: StreamCompletion): void;
}): ReadableStream<Uint8Array> {
  const { primed, processor, body } = options;
  const encoder = new TextEncoder();
  let recorded: string[] | undefined = options.record ? [] : undefined;
  let recordedBytes = 0;
  let ended = false;
  let upstreamDone = primed.ended;
  const end = (completion: Omit<StreamCompletion, 'sent'>) => {
    if (ended) return;
    ended = true;
    options.onEnd({ ...completion, sent: recorded });
  };
  const emit = (controller: ReadableStreamDefaultController<Uint8Array>, frames: string[]) => {
    if (frames.length === 0) return;
    const text = frames.join('');
    if (recorded) {
      recordedBytes += text.length;
      if (recordedBytes > MAX_RECORDED_BYTES) recorded = undefined;
      else appendAll(recorded, frames);
    }
    controller.enqueue(encoder.encode(text));
  };
  const close = (controller: ReadableStreamDefaultController<Uint8Array>, failure: { message: string; code: string } | undefined) => {
    emit(controller, processor.finish(failure));
    controller.close();
    end(
      processor.completed()
        ? { outcome: 'complete' }
        : {
            outcome: 'failed',
            failure: failure ??
              (processor.halted?.() ? processor.failure?.() : undefined) ?? { message: 'incomplete answer', code: 'upstream_stream_cut' },
          },
    );
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      emit(controller, primed.frames);
      options.onFirstByte();
    },
    async pull(controller) {
      if (processor.halted?.() && !upstreamDone) {
        // Nothing more will be sent: stop the provider generating an answer nobody will read.
        upstreamDone = true;
        body.cancel();
      }
      if (upstreamDone) return close(controller, undefined);
      try {
        const next = await primed.rest.next();
        if (next.done) {
          upstreamDone = true;
          const frames: string[] = [];
          for (const event of primed.parser.push(primed.decoder.decode())) appendAll(frames, processor.process(event));
          for (const event of primed.parser.end()) appendAll(frames, processor.process(event));
          emit(controller, frames);
          return close(controller, undefined);
        }
        const frames: string[] = [];
        for (const event of primed.parser.push(primed.decoder.decode(next.value, { stream: true })))
          appendAll(frames, processor.process(event));
        emit(controller, frames);
      } catch (error) {
        upstreamDone = true;
        const failure =
          error instanceof UpstreamNetworkError
            ? {
                message: `The provider connection failed mid-stream (${error.kind}).`,
                code: error.kind === 'timeout' ? 'upstream_timeout' : 'upstream_stream_cut',
              }
            : { message: 'The provider stream could not be read.', code: 'upstream_protocol_error' };
        close(controller, failure);
      }
    },
    cancel() {
      // The client went away: stop the provider generating tokens nobody will read.
      body.cancel();
      end({ outcome: 'client_gone' });
    },
  });
}
