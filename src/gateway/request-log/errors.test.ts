import { describe, expect, it } from 'vitest';
import { isTransientError, summarizeError } from './errors.js';

const withCode = (code: string, message = 'boom'): Error => Object.assign(new Error(message), { code });
/** As drizzle wraps a driver error: the message holds the query and its parameters. */
const wrapped = (cause: unknown): Error =>
  Object.assign(new Error('Failed query: insert into "request_logs" ...\nparams: secret-prompt'), { cause });

describe('isTransientError', () => {
  it.each([
    ['connection refused', withCode('ECONNREFUSED')],
    ['connection reset, wrapped by drizzle', wrapped(withCode('ECONNRESET'))],
    ['connection failure SQLSTATE', wrapped(withCode('08006'))],
    ['admin shutdown', withCode('57P01')],
    ['too many connections', withCode('53300')],
    ['serialization failure', withCode('40001')],
    ['deadlock', withCode('40P01')],
    ['pg: connection terminated', new Error('Connection terminated unexpectedly')],
    ['pg-pool: connect timeout', wrapped(new Error('timeout exceeded when trying to connect'))],
    ['PGlite closed', new Error('PGlite is closed')],
  ])('%s is transient', (_name, error) => {
    expect(isTransientError(error)).toBe(true);
  });

  it.each([
    ['check violation', wrapped(withCode('23514'))],
    ['not-null violation', withCode('23502')],
    ['invalid input syntax', withCode('22P02')],
    ['permission denied (RLS)', withCode('42501')],
    ['a plain error', new Error('withTenant: org id must be a UUID')],
    ['a type error', new TypeError('x is not a function')],
    ['not an error at all', 'string'],
    ['null', null],
  ])('%s is not', (_name, error) => {
    expect(isTransientError(error)).toBe(false);
  });

  it('does not follow a cyclic cause chain forever', () => {
    const error: Error & { cause?: unknown } = new Error('loop');
    error.cause = error;
    expect(isTransientError(error)).toBe(false);
  });
});

describe('summarizeError', () => {
  it('keeps the SQLSTATE and constraint from the cause, never the message', () => {
    const summary = summarizeError(
      wrapped(Object.assign(withCode('23514', 'Failing row contains (secret-prompt)'), { constraint: 'request_logs_cache_status_check' })),
    );
    expect(summary).toEqual({ name: 'Error', code: '23514', constraint: 'request_logs_cache_status_check' });
    expect(JSON.stringify(summary)).not.toContain('secret');
  });

  it('drops code or constraint fields that are not identifiers', () => {
    expect(summarizeError(Object.assign(new TypeError('x'), { code: 'not an identifier: secret', constraint: 42 }))).toEqual({
      name: 'TypeError',
    });
    expect(summarizeError('thrown string')).toEqual({ name: 'string' });
  });
});
