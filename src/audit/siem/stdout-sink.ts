/**
 * JSON lines for log shippers: one `{"type":"audit_event",…}` line per event. The `type` field
 * tells these lines from pino's log lines on the same stdout; a shipper routes on it.
 */
import type { SiemSink } from './sink.js';

export function createStdoutSink(write: (line: string) => void = (line) => void process.stdout.write(line)): SiemSink {
  return {
    name: 'stdout',
    deliver(_chain, events) {
      // One write per batch: lines of a batch cannot interleave with log lines.
      write(events.map((event) => JSON.stringify({ type: 'audit_event', ...event }) + '\n').join(''));
      return Promise.resolve();
    },
  };
}
