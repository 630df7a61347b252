import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { outsideRequestScope, requestLogger, runInRequestScope } from './request-scope.js';

function capture() {
  const lines: string[] = [];
  const logger = createLogger({ level: 'trace', destination: { write: (line: string) => void lines.push(line) } });
  return { logger, lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

const occurrences = (line: string, text: string) => line.split(text).length - 1;

describe('request id on every line logged during a request', () => {
  it('a service-level logger (and its children) gets the request id in scope, across awaits and timers', async () => {
    const { logger, records } = capture();
    const service = logger.child({ component: 'budget-alerts' });
    await runInRequestScope('req_a', async () => {
      service.warn('before an await');
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger.info('after an await');
      setTimeout(() => service.error('in a timer the request armed'), 0);
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
    expect(records().map((r) => [r.msg, r.requestId])).toEqual([
      ['before an await', 'req_a'],
      ['after an await', 'req_a'],
      ['in a timer the request armed', 'req_a'],
    ]);
  });

  it('concurrent requests keep their own ids', async () => {
    const { logger, records } = capture();
    await Promise.all(
      ['req_1', 'req_2', 'req_3'].map((id) =>
        runInRequestScope(id, async () => {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
          logger.info({ expected: id }, 'line');
        }),
      ),
    );
    for (const record of records()) expect(record.requestId).toBe(record.expected);
    expect(records()).toHaveLength(3);
  });

  it('no request id outside a request, nor in a timer armed with outsideRequestScope', async () => {
    const { logger, records } = capture();
    logger.info('startup');
    await runInRequestScope('req_b', async () => {
      outsideRequestScope(() => setTimeout(() => logger.info('background flush'), 0));
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
    expect(records().map((r) => ('requestId' in r ? r.requestId : null))).toEqual([null, null]);
  });

  it('the id appears once: a request logger, its children, or a line that names one itself', () => {
    const { logger, lines, records } = capture();
    runInRequestScope('req_c', () => {
      const request = requestLogger(logger, 'req_c');
      request.info('request logger');
      request.child({ component: 'x' }).info('child of the request logger');
      logger.info({ requestId: 'req_c' }, 'explicit field');
    });
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(occurrences(line, '"requestId"'), line).toBe(1);
    expect(records().every((r) => r.requestId === 'req_c')).toBe(true);
  });

  it('a request logger carries its id after the scope has ended (work that outlives the request)', () => {
    const { logger, records } = capture();
    requestLogger(logger, 'req_d').warn('budget alert webhook answered with an error');
    expect(records()[0]).toMatchObject({ requestId: 'req_d' });
  });
});
