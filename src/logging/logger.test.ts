import { afterEach, describe, expect, it } from 'vitest';
import type { DestinationStream } from 'pino';
import { createLogger, REDACT_PATHS } from './logger.js';
import { REDACTED } from './redacted.js';
import { clearRegisteredSecrets, registerSecret, unregisterSecret } from './secret-registry.js';
import { SENSITIVE_FIELD_NAMES, SENSITIVE_HEADER_NAMES } from './sensitive-fields.js';

interface Capture {
  destination: DestinationStream;
  lines: string[];
  records: () => Record<string, unknown>[];
}

function capture(): Capture {
  const lines: string[] = [];
  return {
    destination: { write: (line: string) => void lines.push(line) },
    lines,
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

function expectClean(lines: string[], ...secrets: string[]): void {
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    for (const secret of secrets) expect(line).not.toContain(secret);
  }
  expect(lines.join('')).toContain(REDACTED);
}

afterEach(() => {
  clearRegisteredSecrets();
});

describe('createLogger output format', () => {
  it('writes one JSON object per line with a level label and an ISO timestamp, without pid or hostname', () => {
    const out = capture();
    createLogger({ destination: out.destination }).info('hello');
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]!.endsWith('\n')).toBe(true);
    const record = out.records()[0]!;
    expect(record).toMatchObject({ level: 'info', msg: 'hello' });
    expect(new Date(record.time as string).toISOString()).toBe(record.time);
    expect(record).not.toHaveProperty('pid');
    expect(record).not.toHaveProperty('hostname');
  });

  it('adds base fields when given', () => {
    const out = capture();
    createLogger({ destination: out.destination, base: { service: 'portcullis' } }).warn('x');
    expect(out.records()[0]).toMatchObject({ level: 'warn', service: 'portcullis' });
  });

  it('honours the level option', () => {
    const out = capture();
    const logger = createLogger({ destination: out.destination, level: 'warn' });
    logger.info('dropped');
    logger.error('kept');
    expect(out.records().map((r) => r.msg)).toEqual(['kept']);
  });
});

describe('redaction by field path', () => {
  const headerValue = (name: string): string => `hv-${name}-0123456789`;

  it.each(['req', 'res'])('redacts every sensitive header under %s.headers', (parent) => {
    const out = capture();
    const headers = Object.fromEntries(SENSITIVE_HEADER_NAMES.map((name) => [name, headerValue(name)]));
    createLogger({ destination: out.destination }).info({ [parent]: { headers: { ...headers, accept: 'application/json' } } }, 'request');
    expectClean(out.lines, ...SENSITIVE_HEADER_NAMES.map(headerValue));
    const logged = (out.records()[0]![parent] as { headers: Record<string, string> }).headers;
    for (const name of SENSITIVE_HEADER_NAMES) expect(logged[name]).toBe(REDACTED);
    expect(logged.accept).toBe('application/json');
  });

  it('redacts sensitive headers in a top-level headers object, whatever their case', () => {
    const out = capture();
    createLogger({ destination: out.destination }).info({
      headers: { authorization: 'Bearer-less-opaque-1', Cookie: 'session=abcdef123456', 'X-Admin-Token': 'admintoken-0987' },
    });
    expectClean(out.lines, 'opaque-1', 'abcdef123456', 'admintoken-0987');
  });

  it('redacts cookie and set-cookie, including arrays of cookies', () => {
    const out = capture();
    createLogger({ destination: out.destination }).info({
      req: { headers: { cookie: 'sid=s%3Acookie-value-1; theme=dark' } },
      res: { headers: { 'set-cookie': ['sid=cookie-value-2; HttpOnly', 'csrf=cookie-value-3'] } },
    });
    expectClean(out.lines, 'cookie-value-1', 'cookie-value-2', 'cookie-value-3');
  });

  // Object and array values on purpose: the line scrubber only knows string values, so these
  // pass only if pino's path redaction itself is in place.
  it.each([...SENSITIVE_FIELD_NAMES])('redacts a field named %s at top level and one level deep', (field) => {
    const out = capture();
    createLogger({ destination: out.destination }).info({ [field]: { v: 'top-level-value-1' }, user: { [field]: ['nested-value-2'] } });
    expectClean(out.lines, 'top-level-value-1', 'nested-value-2');
    const record = out.records()[0]!;
    expect(record[field]).toBe(REDACTED);
    expect((record.user as Record<string, unknown>)[field]).toBe(REDACTED);
  });

  it('redacts sensitive fields deeper than pino paths reach, through the line scrubber', () => {
    const out = capture();
    createLogger({ destination: out.destination }).error({
      upstream: { request: { config: { password: 'deep-password-1', headers: { 'X-Api-Key': 'deep-key-2' } } } },
    });
    expectClean(out.lines, 'deep-password-1', 'deep-key-2');
  });

  it('redacts fields bound on a child logger', () => {
    const out = capture();
    createLogger({ destination: out.destination })
      .child({ password: 'child-binding-1' })
      .info({ user: { token: 'child-token-2' } });
    expectClean(out.lines, 'child-binding-1', 'child-token-2');
  });

  it('exposes the path list, covering headers and fields at the documented depths', () => {
    expect(REDACT_PATHS).toEqual(
      expect.arrayContaining([
        'authorization',
        '*.headers.authorization',
        '*["set-cookie"]',
        '*.headers["x-goog-api-key"]',
        'masterKey',
        '*.masterKey',
      ]),
    );
  });
});

describe('redaction by value', () => {
  it('redacts a registered secret inside a message string', () => {
    registerSecret('provider-key-abcdef123456');
    const out = capture();
    createLogger({ destination: out.destination }).info('calling upstream with provider-key-abcdef123456');
    expectClean(out.lines, 'provider-key-abcdef123456');
    expect(out.records()[0]!.msg).toBe(`calling upstream with ${REDACTED}`);
  });

  it('redacts a registered secret inside an error message, its stack and its cause', () => {
    registerSecret('auth-secret-9876543210');
    const out = capture();
    const error = new Error('bad signature for auth-secret-9876543210', {
      cause: new Error('cause mentions auth-secret-9876543210 too'),
    });
    const logger = createLogger({ destination: out.destination });
    logger.error({ err: error }, 'verification failed');
    logger.error(error);
    expectClean(out.lines, 'auth-secret-9876543210');
    const logged = out.records()[0]!.err as { type: string; message: string; stack: string };
    expect(logged.type).toBe('Error');
    expect(logged.message).toContain(REDACTED);
    expect(logged.stack).toContain('bad signature for [REDACTED]');
  });

  it('serializes an Error logged under `error` instead of dropping it', () => {
    const out = capture();
    createLogger({ destination: out.destination }).warn({ error: new Error('upstream timed out') });
    expect(out.records()[0]!.error).toMatchObject({ type: 'Error', message: 'upstream timed out' });
  });

  it('redacts a registered secret that contains quotes and backslashes (JSON-escaped in the line)', () => {
    const secret = 'adm"in\\token-5555';
    registerSecret(secret);
    const out = capture();
    createLogger({ destination: out.destination }).info({ note: `token is ${secret}`, body: JSON.stringify({ t: secret }) });
    expectClean(out.lines, secret, JSON.stringify(secret).slice(1, -1), 'in\\\\token-5555', 'token-5555');
  });

  it('stops redacting a value after unregisterSecret', () => {
    registerSecret('rotated-out-secret-1');
    unregisterSecret('rotated-out-secret-1');
    const out = capture();
    createLogger({ destination: out.destination }).info('old value rotated-out-secret-1');
    expect(out.records()[0]!.msg).toBe('old value rotated-out-secret-1');
  });

  it.each([
    ['a Portcullis key', 'pc_admin_k3y1d_S3cr3tP4rtOfTh3K3yAbCdEf', 'S3cr3tP4rtOfTh3K3yAbCdEf'],
    ['a bearer token', 'Bearer t0ken-abc.DEF_123', 't0ken-abc'],
    ['basic credentials', 'Basic YWRtaW46aHVudGVyMg==', 'YWRtaW46aHVudGVyMg'],
    ['an OpenAI key', 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz012345', 'AbCdEfGhIjKlMnOpQrSt'],
    ['an Anthropic key', 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz-_01', 'AbCdEfGhIjKlMnOpQrSt'],
    ['an AWS access key id', 'AKIAIOSFODNN7EXAMPLE', 'IOSFODNN7EXAMPLE'],
    ['a GitHub token', 'ghs_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789', 'AbCdEfGhIjKlMnOpQrSt'],
    ['a Slack token', 'xoxp-1111111111-2222222222-AbCdEfGhIj', 'AbCdEfGhIj'],
    ['a Google API key', 'AIzaSyD-AbCdEfGhIjKlMnOpQrStUvWxYz01234', 'AbCdEfGhIjKlMnOpQrSt'],
    ['a Stripe key', 'rk_live_AbCdEfGhIjKlMnOp', 'AbCdEfGhIjKlMnOp'],
    ['a JWT', 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLWJ5dGVz', 'c2lnbmF0dXJlLWJ5dGVz'],
    ['URL credentials', 'amqp://guest:rabbit-pass-1@mq.internal:5672', 'rabbit-pass-1'],
    [
      'a PEM private key',
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----',
      'b3BlbnNzaC1rZXktdjEAAAAA',
    ],
  ])('redacts %s in a message, a field and an error message', (_label, value, secretPart) => {
    const out = capture();
    const logger = createLogger({ destination: out.destination });
    logger.info(`saw ${value} in transit`);
    logger.info({ upstream: { detail: `value=${value}` } });
    logger.error(new Error(`rejected ${value}`));
    expect(out.lines).toHaveLength(3);
    for (const line of out.lines) {
      expect(line).not.toContain(secretPart);
      expect(line).toContain(REDACTED);
    }
  });

  it('leaves ordinary text alone', () => {
    const out = capture();
    createLogger({ destination: out.destination }).info(
      { requestId: 'req_01HZX3K8Q4V7M2N9', user: { email: 'alice@example.com' }, attempts: 3, tokens: 1234 },
      'the token for this session expired after 42 seconds',
    );
    const record = out.records()[0]!;
    expect(record).toMatchObject({
      msg: 'the token for this session expired after 42 seconds',
      requestId: 'req_01HZX3K8Q4V7M2N9',
      user: { email: 'alice@example.com' },
      attempts: 3,
      tokens: 1234,
    });
    expect(out.lines[0]).not.toContain(REDACTED);
  });

  it('keeps every line valid JSON while scrubbing', () => {
    registerSecret('mixed"\\secret-value');
    const out = capture();
    const logger = createLogger({ destination: out.destination });
    const tricky = ['mixed"\\secret-value', '\\', '"', '-----BEGIN PRIVATE KEY-----\nabc\\', '://u:p@h', '?token=a\\"b', 'Bearer x'];
    for (const a of tricky) for (const b of tricky) logger.info({ s: `${a}${b}`, nested: JSON.stringify({ password: `${b}${a}` }) });
    expect(() => out.records()).not.toThrow();
    expect(out.lines).toHaveLength(tricky.length ** 2);
    expectClean(out.lines, 'secret-value');
  });
});
