import { getEncoding } from 'js-tiktoken';
import { describe, expect, it } from 'vitest';
import { countPromptTokens, countTexts } from './openai-tokenizer.js';
import { tokenizerWorkerRunning } from './tokenizer-worker.js';

const o200k = getEncoding('o200k_base');
const cl100k = getEncoding('cl100k_base');

describe('countPromptTokens (OpenAI cookbook framing)', () => {
  it('has not started the tokenizer before the first count (an idle gateway holds no rank tables)', () => {
    expect(tokenizerWorkerRunning()).toBe(false);
  });

  it('counts 3 per message plus role, content and name (+1), and 3 to prime the reply', async () => {
    const count = await countPromptTokens('gpt-4o', {
      model: 'gpt-4o',
      stream: true,
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'You are terse.' }] },
        { role: 'user', name: 'ana', content: [{ type: 'text', text: 'Say <|endoftext|> hello.' }] },
      ],
    });
    const t = (s: string) => o200k.encode(s, [], []).length;
    expect(count).toBe(3 + t('system') + t('You are terse.') + 3 + t('user') + t('Say <|endoftext|> hello.') + t('ana') + 1 + 3);
  });

  it('uses the model family tokenizer (cl100k_base for gpt-4)', async () => {
    const text = 'Tokenizers disagree on ünïcödé and 12345678.';
    const count = await countPromptTokens('gpt-4', {
      model: 'gpt-4',
      stream: true,
      messages: [{ role: 'user', content: [{ type: 'text', text }] }],
    });
    expect(count).toBe(3 + cl100k.encode('user').length + cl100k.encode(text).length + 3);
    expect(cl100k.encode(text).length).not.toBe(o200k.encode(text).length);
  });
});

describe('the tokenizer worker', () => {
  it('runs only once a count is needed, and counts several texts in one round trip', async () => {
    const texts = ['', 'Hello, world!', 'Ødegård lit 1,024 lamps.'];
    expect(await countTexts('gpt-5.4-mini', texts)).toEqual(texts.map((t) => o200k.encode(t, [], []).length));
    expect(tokenizerWorkerRunning()).toBe(true);
  });
});
