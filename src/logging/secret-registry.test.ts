import { afterEach, describe, expect, it } from 'vitest';
import { REDACTED } from './redacted.js';
import { clearRegisteredSecrets, registerSecret, scrubSecrets, unregisterSecret } from './secret-registry.js';
import { SECRET_SHAPE_NAMES } from './secret-shapes.js';

afterEach(() => {
  clearRegisteredSecrets();
});

function expectRedacted(output: string, ...secrets: string[]): void {
  for (const secret of secrets) expect(output).not.toContain(secret);
  expect(output).toContain(REDACTED);
}

describe('registered secrets', () => {
  it('redacts a registered value wherever it appears', () => {
    registerSecret('master-key-0123456789');
    const out = scrubSecrets('boot with master-key-0123456789, then again:master-key-0123456789!');
    expect(out).toBe(`boot with ${REDACTED}, then again:${REDACTED}!`);
  });

  it('ignores values shorter than 8 characters', () => {
    registerSecret('1234567');
    expect(scrubSecrets('order 1234567 shipped')).toBe('order 1234567 shipped');
  });

  it('redacts a value of exactly 8 characters', () => {
    registerSecret('12345678');
    expect(scrubSecrets('pin 12345678')).toBe(`pin ${REDACTED}`);
  });

  it('redacts the JSON-escaped form of a value containing quotes and backslashes', () => {
    const secret = 'pa"ss\\word-42';
    registerSecret(secret);
    const line = JSON.stringify({ msg: `value is ${secret}` });
    const out = scrubSecrets(line);
    expectRedacted(out, secret, 'pa\\"ss\\\\word-42', 'ss\\\\word');
    expect(JSON.parse(out)).toEqual({ msg: `value is ${REDACTED}` });
  });

  it('redacts a value that was JSON-escaped twice (a JSON body logged as a string)', () => {
    const secret = 'q"uoted-secret';
    registerSecret(secret);
    const line = JSON.stringify({ body: JSON.stringify({ key: secret }) });
    const out = scrubSecrets(line);
    expect(out).not.toContain('uoted-secret');
    expect(() => JSON.parse(out) as unknown).not.toThrow();
  });

  it('also redacts the trimmed value of a secret read with a trailing newline', () => {
    registerSecret('file-secret-abcdef\n');
    expect(scrubSecrets('got file-secret-abcdef from header')).toBe(`got ${REDACTED} from header`);
  });

  it('redacts the whole union when two secrets overlap in the text', () => {
    registerSecret('AAAA1111BBBB');
    registerSecret('BBBB2222CCCC');
    const out = scrubSecrets('x AAAA1111BBBB2222CCCC y');
    expect(out).toBe(`x ${REDACTED} y`);
  });

  it('redacts overlapping occurrences of a periodic secret completely', () => {
    registerSecret('abababab');
    expect(scrubSecrets('<ababababab>')).toBe(`<${REDACTED}>`);
  });

  it('stops redacting a value after unregisterSecret', () => {
    registerSecret('temporary-secret-1');
    registerSecret('permanent-secret-2');
    unregisterSecret('temporary-secret-1');
    expect(scrubSecrets('temporary-secret-1 permanent-secret-2')).toBe(`temporary-secret-1 ${REDACTED}`);
  });

  it('stops redacting everything after clearRegisteredSecrets', () => {
    registerSecret('temporary-secret-1');
    clearRegisteredSecrets();
    expect(scrubSecrets('temporary-secret-1')).toBe('temporary-secret-1');
  });

  it('does not throw on a non-string value from untyped config', () => {
    expect(() => registerSecret(undefined as unknown as string)).not.toThrow();
    expect(scrubSecrets('nothing registered')).toBe('nothing registered');
  });
});

const PEM_BODY = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7';

/** One entry per shape name; the test below fails when a shape is added without a case here. */
const SHAPE_CASES: Record<string, { input: string; secrets: string[]; expected?: string }> = {
  'pem-private-key': {
    input: `key:\n-----BEGIN RSA PRIVATE KEY-----\n${PEM_BODY}\n${PEM_BODY}\n-----END RSA PRIVATE KEY-----\ndone`,
    secrets: [PEM_BODY],
    expected: `key:\n${REDACTED}\ndone`,
  },
  'url-credentials': {
    input: 'connecting to postgres://portcullis:hunter2-p@ss@db.internal:5432/app',
    secrets: ['hunter2', 'p@ss'],
    expected: `connecting to postgres://portcullis:${REDACTED}@db.internal:5432/app`,
  },
  'json-sensitive-key': {
    input: '{"config":{"headers":{"X-Api-Key":"k-9f8e7d6c5b4a"}}}',
    secrets: ['k-9f8e7d6c5b4a'],
    expected: `{"config":{"headers":{"X-Api-Key":"${REDACTED}"}}}`,
  },
  'url-query-credential': {
    input: 'GET https://example.com/cb?state=1&access_token=ya29.a0AfH6SMB&x=2',
    secrets: ['ya29.a0AfH6SMB'],
    expected: `GET https://example.com/cb?state=1&access_token=${REDACTED}&x=2`,
  },
  bearer: {
    input: 'Authorization: Bearer opaque-token.value_123~+/=',
    secrets: ['opaque-token'],
    expected: `Authorization: Bearer ${REDACTED}`,
  },
  basic: {
    input: 'Proxy-Authorization: Basic dXNlcjpwYXNzd29yZA==',
    secrets: ['dXNlcjpwYXNzd29yZA'],
    expected: `Proxy-Authorization: Basic ${REDACTED}`,
  },
  'portcullis-key': {
    input: 'key pc_live_a1B2c3D4_Zy9Xw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0 used',
    secrets: ['a1B2c3D4', 'Zy9Xw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0'],
    expected: `key ${REDACTED} used`,
  },
  'openai-anthropic-key': {
    input: 'keys sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34, sk-ant-api03-Zz99Yy88Xx77Ww66Vv55Uu44-AA and sk-Qq11Rr22Ss33Tt44Uu55Vv66',
    secrets: ['Ab12Cd34Ef56Gh78Ij90', 'Zz99Yy88Xx77Ww66', 'Qq11Rr22Ss33Tt44'],
    expected: `keys ${REDACTED}, ${REDACTED} and ${REDACTED}`,
  },
  'aws-access-key-id': {
    input: 'aws AKIAIOSFODNN7EXAMPLE and ASIAY34FZKBOKMUTVV7A',
    secrets: ['IOSFODNN7EXAMPLE', 'Y34FZKBOKMUTVV7A'],
    expected: `aws ${REDACTED} and ${REDACTED}`,
  },
  'github-token': {
    input: 'ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 gho_aBcDeFgHiJkLmNoPqRsTuVwX github_pat_11AAAAAAA0_bbbbbbbbbbbbbbbbbbbbbbbb',
    secrets: ['aBcDeFgHiJkLmNoPqRsT', '11AAAAAAA0_bbbb'],
    expected: `${REDACTED} ${REDACTED} ${REDACTED}`,
  },
  'slack-token': {
    input: 'slack xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp',
    secrets: ['1234567890-0987654321', 'AbCdEfGhIjKlMnOp'],
    expected: `slack ${REDACTED}`,
  },
  'google-api-key': {
    input: 'google AIzaSyA-1234567890abcdefghijklmnopqrs_t',
    secrets: ['SyA-1234567890abcdefghijklmnopqrs_t'],
    expected: `google ${REDACTED}`,
  },
  'stripe-key': {
    input: 'stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc rk_live_51H8aBcDeFgHiJk sk_test_26PHem9AhJZvU623DfE1x4sd',
    secrets: ['4eC39HqLyjWDarjtT1zdp7dc', '51H8aBcDeFgHiJk', '26PHem9AhJZvU623DfE1x4sd'],
    expected: `stripe ${REDACTED} ${REDACTED} ${REDACTED}`,
  },
  jwt: {
    input: 'session=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U;',
    secrets: ['eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9', 'eyJzdWIiOiIxMjM0NTY3ODkwIn0', 'dozjgNryP4J3jVmNHl0w5N'],
    expected: `session=${REDACTED};`,
  },
};

describe('known secret shapes', () => {
  it('has a test case for every shape', () => {
    expect(Object.keys(SHAPE_CASES).sort()).toEqual([...SECRET_SHAPE_NAMES].sort());
  });

  it.each(Object.entries(SHAPE_CASES))('redacts %s', (_name, { input, secrets, expected }) => {
    const out = scrubSecrets(input);
    expectRedacted(out, ...secrets);
    if (expected !== undefined) expect(out).toBe(expected);
  });

  it.each(Object.entries(SHAPE_CASES))('redacts %s inside a JSON line and keeps it valid JSON', (_name, { input, secrets }) => {
    const out = scrubSecrets(JSON.stringify({ level: 'info', msg: `before\n${input}\tafter` }));
    expectRedacted(out, ...secrets);
    expect(() => JSON.parse(out) as unknown).not.toThrow();
  });

  it('redacts a PEM block whose newlines are JSON-escaped', () => {
    const pem = `-----BEGIN PRIVATE KEY-----\n${PEM_BODY}\n-----END PRIVATE KEY-----\n`;
    const out = scrubSecrets(JSON.stringify({ msg: `loaded ${pem} ok`, other: 'kept' }));
    expect(out).not.toContain(PEM_BODY);
    expect(JSON.parse(out)).toEqual({ msg: `loaded ${REDACTED}\n ok`, other: 'kept' });
  });

  it('redacts a truncated PEM block up to the end of its JSON string only', () => {
    const out = scrubSecrets(JSON.stringify({ msg: `-----BEGIN EC PRIVATE KEY-----\n${PEM_BODY}`, other: 'kept' }));
    expect(JSON.parse(out)).toEqual({ msg: REDACTED, other: 'kept' });
  });

  it('keeps the line valid when a truncated PEM block is followed by an escaped quote', () => {
    const out = scrubSecrets(JSON.stringify({ msg: `-----BEGIN PRIVATE KEY-----\n${PEM_BODY}\\"tail` }));
    expect(out).not.toContain(PEM_BODY);
    expect(() => JSON.parse(out) as unknown).not.toThrow();
  });

  it('redacts a key that follows a JSON-escaped newline', () => {
    const out = scrubSecrets(JSON.stringify({ msg: 'config:\nsk-Ab12Cd34Ef56Gh78Ij90Kl12' }));
    expect(out).not.toContain('Ab12Cd34Ef56Gh78Ij90Kl12');
  });

  it('still redacts a bearer token that merely starts with a prose word', () => {
    expect(scrubSecrets('Bearer token-7f3a9c')).toBe(`Bearer ${REDACTED}`);
    expect(scrubSecrets('Bearer tokens.abc')).toBe(`Bearer ${REDACTED}`);
  });

  it('accepts lower-case bearer, which some clients send', () => {
    expect(scrubSecrets('authorization: bearer abc.def')).toBe(`authorization: bearer ${REDACTED}`);
  });

  it('keeps the user name and host of URL credentials and the rest of the URL', () => {
    expect(scrubSecrets('redis://:s3cr3t@cache:6379/0')).toBe(`redis://:${REDACTED}@cache:6379/0`);
  });

  it('is idempotent', () => {
    registerSecret('idempotent-secret');
    const input = Object.values(SHAPE_CASES)
      .map((c) => c.input)
      .join(' | ')
      .concat(' idempotent-secret');
    const once = scrubSecrets(input);
    expect(scrubSecrets(once)).toBe(once);
  });
});

describe('ordinary text', () => {
  it.each([
    'the token expired, please sign in again',
    'password reset requested',
    'request req_01HZX3K8Q4V7M2N9 took 42 ms',
    'request id 3f2b8c1e-9d4a-4e7b-8f6a-2c1d0e9b8a7f',
    'mail sent to alice@example.com',
    'retrying in 5 seconds (attempt 3/10)',
    'task-runner-queue-processor-instance-17 started',
    'basic checks passed for https://example.com:8443/v1/models?limit=20&order=desc',
    'see https://docs.example.com/api-keys for details',
    'sk-short is not a key',
    'Bearer token required',
    'missing bearer auth header',
    'Basic auth is disabled for this route',
    '{"tokens":123,"model":"gpt-4o","usage":{"prompt_tokens":9}}',
  ])('leaves %j unchanged', (text) => {
    expect(scrubSecrets(text)).toBe(text);
  });
});
