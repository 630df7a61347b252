/**
 * A FrameProcessor that hands every frame it produces for the client to a DeliveredTextRecorder
 * as well: what the processor emits is what the client stream sends (sse-bridge.ts emits each
 * batch as it is returned), so the recorder sees exactly the delivered frames.
 */
import type { FrameProcessor } from '../pipeline/sse-bridge.js';
import type { DeliveredTextRecorder } from './delivered-text.js';

export function recordingProcessor(inner: FrameProcessor, recorder: DeliveredTextRecorder): FrameProcessor {
  return {
    ...inner,
    process(event) {
      const frames = inner.process(event);
      recorder.add(frames);
      return frames;
    },
    finish(failure) {
      const frames = inner.finish(failure);
      recorder.add(frames);
      return frames;
    },
  };
}
