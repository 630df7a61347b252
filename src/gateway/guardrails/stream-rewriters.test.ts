import { describe, expect, it } from 'vitest';
import { guardrailPolicySchema, type GuardrailPolicyInput } from '../../guardrails/engine/policy.js';
import type { SseEvent } from '../../providers/sse.js';
import { RequestGuard, GuardrailStreamBlocked } from './request-guard.js';
import { requestSlots } from './request-slots.js';
import { streamTextRewriter } from './stream-rewriters.js';

// Built at run time so that no scanner mistakes this file for a leak.
const TOKEN = 'glpat-' + 'q8Zr3LmP0xWv7Ty2Nk5B';

function guardWith(policy: GuardrailPolicyInput = {}): RequestGuard {
  return new RequestGuard({ policy: guardrailPolicySchema.parse(policy), customRules: [], version: '1.0' }, (v) => `h(${v.length})`);
}

/** Splits `text` into pieces of `size` characters. */
function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** A Chat Completions chunk whose only choice carries this delta. */
const deltaChunk = (delta: Record<string, unknown>, finish: string | null = null): SseEvent => ({
  data: JSON.stringify({
    id: 'c1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'm',
    choices: [{ index: 0, delta, finish_reason: finish }],
  }),
});

/** A Chat Completions chunk whose only choice carries these tool-call deltas. */
const callsChunk = (calls: Record<string, unknown>[], finish: string | null = null): SseEvent => deltaChunk({ tool_calls: calls }, finish);

/** A Responses event builder that numbers its events 0, 1, 2… as the API does. */
function numberedEvents(): (type: string, fields: Record<string, unknown>) => SseEvent {
  let sequence = 0;
  return (type, fields) => ({ event: type, data: JSON.stringify({ type, sequence_number: sequence++, ...fields }) });
}

const json = (event: SseEvent) => JSON.parse(event.data) as Record<string, unknown>;

describe('Chat Completions stream rewriter', () => {
  const chunk = (index: number, content: string | undefined, finish: string | null = null): SseEvent => ({
    data: JSON.stringify({
      id: 'c1',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'm',
      choices: [{ index, delta: content === undefined ? {} : { content }, finish_reason: finish }],
    }),
  });
  const textOf = (events: SseEvent[], index = 0) =>
    events
      .filter((e) => e.data !== '[DONE]')
      .flatMap((e) => (json(e).choices as { index: number; delta: { content?: string } }[]).filter((c) => c.index === index))
      .map((c) => c.delta.content ?? '')
      .join('');

  it('redacts a secret split over many small deltas, per choice, releasing the held text with the finish chunk', () => {
    const guard = guardWith();
    const rewriter = streamTextRewriter('openai-chat', guard);
    const answer = `Use ${TOKEN} to log in. `.repeat(3);
    const out: SseEvent[] = [];
    for (const piece of pieces(answer, 5))
      out.push(...rewriter.rewrite(chunk(0, piece)), ...rewriter.rewrite(chunk(1, piece.toUpperCase())));
    out.push(
      ...rewriter.rewrite(chunk(0, undefined, 'stop')),
      ...rewriter.rewrite(chunk(1, undefined, 'stop')),
      ...rewriter.rewrite({ data: '[DONE]' }),
    );
    expect(textOf(out, 0)).toBe('Use [SECRET_1] to log in. '.repeat(3));
    // The upper-cased token is no longer a GitLab token; it passes unchanged.
    expect(textOf(out, 1)).toBe(answer.toUpperCase());
    expect(out.at(-1)!.data).toBe('[DONE]');
    expect(guard.events.filter((e) => e.location === 'choices[0].delta.content')).toHaveLength(3);
    // The finish chunk still says "stop".
    expect(
      out.some((e) => e.data !== '[DONE]' && (json(e).choices as { finish_reason: string | null }[])[0]?.finish_reason === 'stop'),
    ).toBe(true);
  });

  it('holds back only the window: a long clean answer is mostly released before it ends', () => {
    const guard = guardWith();
    const rewriter = streamTextRewriter('openai-chat', guard);
    const answer = 'All clear here. '.repeat(200);
    let released = '';
    for (const piece of pieces(answer, 40)) released += textOf(rewriter.rewrite(chunk(0, piece)));
    expect(answer.length - released.length).toBeLessThanOrEqual(256);
    released += textOf(rewriter.rewrite(chunk(0, undefined, 'stop')));
    expect(released).toBe(answer);
  });

  it('releases held text before an error frame and on flush', () => {
    const guard = guardWith();
    const rewriter = streamTextRewriter('openai-chat', guard);
    // Prose goes out at once but the word being written ("answer" may go on) is held.
    expect(textOf(rewriter.rewrite(chunk(0, 'partial answer')))).toBe('partial ');
    const out = rewriter.rewrite({ data: JSON.stringify({ error: { message: 'cut', code: 'upstream_stream_cut' } }) });
    expect(textOf(out.slice(0, -1))).toBe('answer');
    expect(json(out.at(-1)!).error).toBeDefined();
    expect(rewriter.flush()).toEqual([]);
  });

  it('throws GuardrailStreamBlocked when the policy blocks the answer, naming the rule', () => {
    const guard = guardWith({ secrets: { output: 'block' } });
    const rewriter = streamTextRewriter('openai-chat', guard);
    rewriter.rewrite(chunk(0, `here: ${TOKEN.slice(0, 10)}`));
    let blocked: unknown;
    try {
      rewriter.rewrite(chunk(0, TOKEN.slice(10)));
      rewriter.rewrite(chunk(0, undefined, 'stop'));
    } catch (error) {
      blocked = error;
    }
    expect(blocked).toBeInstanceOf(GuardrailStreamBlocked);
    expect((blocked as GuardrailStreamBlocked).event).toMatchObject({ rule: 'gitlab-token', action: 'block', direction: 'output' });
  });
});

describe('Anthropic Messages stream rewriter', () => {
  const delta = (index: number, text: string): SseEvent => ({
    event: 'content_block_delta',
    data: JSON.stringify({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } }),
  });
  const stop = (index: number): SseEvent => ({ event: 'content_block_stop', data: JSON.stringify({ type: 'content_block_stop', index }) });

  it('redacts across deltas and releases the held text as a text_delta just before content_block_stop', () => {
    const guard = guardWith();
    const rewriter = streamTextRewriter('anthropic-messages', guard);
    const out: SseEvent[] = [];
    for (const piece of pieces(`key=${TOKEN} end`, 7)) out.push(...rewriter.rewrite(delta(0, piece)));
    out.push(...rewriter.rewrite(stop(0)));
    const texts = out.filter((e) => e.event === 'content_block_delta').map((e) => (json(e).delta as { text: string }).text);
    expect(texts.join('')).toBe('key=[SECRET_1] end');
    expect(out.at(-1)!.event).toBe('content_block_stop');
    expect(out.at(-2)!.event).toBe('content_block_delta');
  });
});

describe('Anthropic citations', () => {
  it('judges each streamed citation’s quote whole, and leaves the rest of the citation alone', () => {
    const guard = guardWith();
    const rewriter = streamTextRewriter('anthropic-messages', guard);
    const citation = {
      type: 'web_search_result_location',
      url: 'https://example.com/a',
      title: 'A page',
      cited_text: `token ${TOKEN} here`,
    };
    const event: SseEvent = {
      event: 'content_block_delta',
      data: JSON.stringify({ type: 'content_block_delta', index: 2, delta: { type: 'citations_delta', citation } }),
    };
    const [out] = rewriter.rewrite(event);
    expect((json(out!).delta as { citation: unknown }).citation).toEqual({ ...citation, cited_text: 'token [SECRET_1] here' });
    expect(guard.events).toMatchObject([{ rule: 'gitlab-token', location: 'content[2].citations.cited_text' }]);
  });
});

describe('Responses stream rewriter', () => {
  let sequence = 0;
  const event = (type: string, fields: Record<string, unknown>): SseEvent => ({
    event: type,
    data: JSON.stringify({ type, sequence_number: sequence++, ...fields }),
  });
  const part = { item_id: 'msg_1', output_index: 0, content_index: 0 };

  it('redacts the deltas, rewrites every event that repeats the text, and keeps sequence numbers strictly increasing', () => {
    sequence = 0;
    const guard = guardWith();
    const rewriter = streamTextRewriter('openai-responses', guard);
    const answer = `Your token is ${TOKEN}.`;
    const out: SseEvent[] = [];
    for (const piece of pieces(answer, 6)) out.push(...rewriter.rewrite(event('response.output_text.delta', { ...part, delta: piece })));
    out.push(...rewriter.rewrite(event('response.output_text.done', { ...part, text: answer })));
    out.push(...rewriter.rewrite(event('response.content_part.done', { ...part, part: { type: 'output_text', text: answer } })));
    const item = { id: 'msg_1', type: 'message', content: [{ type: 'output_text', text: answer }] };
    out.push(...rewriter.rewrite(event('response.output_item.done', { output_index: 0, item })));
    out.push(...rewriter.rewrite(event('response.completed', { response: { output: [item] } })));

    const expected = 'Your token is [SECRET_1].';
    const deltas = out.filter((e) => e.event === 'response.output_text.delta').map((e) => json(e).delta as string);
    expect(deltas.join('')).toBe(expected);
    const byType = (type: string) => json(out.find((e) => e.event === type)!);
    expect(byType('response.output_text.done').text).toBe(expected);
    expect((byType('response.content_part.done').part as { text: string }).text).toBe(expected);
    expect((byType('response.output_item.done').item as typeof item).content[0]!.text).toBe(expected);
    expect((byType('response.completed').response as { output: (typeof item)[] }).output[0]!.content[0]!.text).toBe(expected);
    expect(JSON.stringify(out)).not.toContain(TOKEN);
    const numbers = out.map((e) => json(e).sequence_number as number);
    expect(numbers).toEqual(numbers.map((_, i) => i));
  });
});

describe('event types the rewriters do not know', () => {
  it('pass untouched, even when named like a property every object has', () => {
    const rewriter = streamTextRewriter('openai-responses', guardWith());
    for (const type of ['toString', 'constructor', '__proto__', 'response.unknown.delta']) {
      const event: SseEvent = { event: type, data: JSON.stringify({ type, item_id: 'x', delta: `token ${TOKEN}`, content_index: 0 }) };
      expect(rewriter.rewrite(event)).toEqual([event]);
    }
  });
});

describe('streamed tool-call arguments', () => {
  // Long enough, with spaces, that the guard releases most of it before the call ends.
  const value = { summary: 'All services are green this morning. '.repeat(12), token: TOKEN, note: 'rotate\nsoon' };
  const args = JSON.stringify(value);
  const judgedArgs = JSON.stringify({ ...value, token: '[SECRET_1]' });
  type Call = { index: number; function?: { arguments?: string } };
  /** Every Chat Completions tool-call delta sent, in order. */
  const callsIn = (events: SseEvent[]) =>
    events
      .filter((e) => e.data !== '[DONE]')
      .flatMap((e) => (json(e).choices as { delta: { tool_calls?: Call[] } }[]).flatMap((c) => c.delta.tool_calls ?? []));
  /** One call's arguments as the client assembles them. */
  const argumentsOf = (events: SseEvent[], index: number) =>
    callsIn(events)
      .filter((call) => call.index === index)
      .map((call) => call.function?.arguments ?? '')
      .join('');

  it('Chat Completions: streams each call through a JSON guard and releases what it holds before the next call and the finish', () => {
    const guard = guardWith();
    const rewriter = streamTextRewriter('openai-chat', guard);
    const chunk = deltaChunk;

    const out: SseEvent[] = [];
    for (const index of [0, 1]) {
      out.push(
        ...rewriter.rewrite(
          chunk({ tool_calls: [{ index, id: `call_${index}`, type: 'function', function: { name: 'deploy', arguments: '' } }] }),
        ),
      );
      for (const piece of pieces(args, 9))
        out.push(...rewriter.rewrite(chunk({ tool_calls: [{ index, function: { arguments: piece } }] })));
      if (index === 0) {
        // Most of the first call went out while it was written; its rest comes before the second call starts.
        expect(argumentsOf(out, 0).length).toBeGreaterThan(args.length - 300);
        expect(argumentsOf(out, 0)).not.toBe(judgedArgs);
      }
    }
    out.push(...rewriter.rewrite(chunk({}, 'tool_calls')), ...rewriter.rewrite({ data: '[DONE]' }));
    expect(argumentsOf(out, 0)).toBe(judgedArgs);
    expect(argumentsOf(out, 1)).toBe(judgedArgs);
    // Calls stay in order: every piece of call 0 comes before the first of call 1.
    const order = callsIn(out).map((call) => call.index);
    expect(order).toEqual([...order].sort());
    expect(JSON.stringify(out)).not.toContain(TOKEN.slice(6));
    expect((json(out.at(-2)!).choices as { finish_reason: string }[])[0]!.finish_reason).toBe('tool_calls');
    expect(guard.events.map((e) => e.location)).toEqual([
      'choices[0].delta.tool_calls[0].function.arguments',
      'choices[0].delta.tool_calls[1].function.arguments',
    ]);
  });

  it('Chat Completions: keeps each call in order when a chunk carries a whole call, two calls, or a call and the finish', () => {
    const guard = guardWith();
    const rewriter = streamTextRewriter('openai-chat', guard);
    const chunk = callsChunk;
    const call = (index: number, text: string) => ({
      index,
      id: `call_${index}`,
      type: 'function',
      function: { name: 'deploy', arguments: text },
    });
    const half = Math.floor(args.length / 2);
    const out = [
      // Call 0 in two pieces, its second with the start of call 1; call 1's rest and call 2, whole, with the finish.
      ...rewriter.rewrite(chunk([call(0, args.slice(0, half))])),
      ...rewriter.rewrite(chunk([{ index: 0, function: { arguments: args.slice(half) } }, call(1, args.slice(0, half))])),
      ...rewriter.rewrite(chunk([{ index: 1, function: { arguments: args.slice(half) } }, call(2, args)], 'tool_calls')),
      ...rewriter.rewrite({ data: '[DONE]' }),
    ];
    for (const index of [0, 1, 2]) expect(argumentsOf(out, index)).toBe(judgedArgs);
    const order = callsIn(out).map((c) => c.index);
    expect(order).toEqual([...order].sort());
    expect((json(out.at(-2)!).choices as { finish_reason: string }[])[0]!.finish_reason).toBe('tool_calls');
  });

  it('Chat Completions: interleaved parallel calls keep their guards open, so a secret split over their pieces is redacted', () => {
    const guard = guardWith();
    const rewriter = streamTextRewriter('openai-chat', guard);
    const out: SseEvent[] = [];
    for (const index of [0, 1])
      out.push(
        ...rewriter.rewrite(callsChunk([{ index, id: `call_${index}`, type: 'function', function: { name: 'deploy', arguments: '' } }])),
      );
    // A piece of call 0, then one of call 1, and so on: the token is cut across several pieces of each.
    for (const piece of pieces(args, 7))
      for (const index of [0, 1]) out.push(...rewriter.rewrite(callsChunk([{ index, function: { arguments: piece } }])));
    out.push(...rewriter.rewrite(callsChunk([], 'tool_calls')), ...rewriter.rewrite({ data: '[DONE]' }));
    for (const index of [0, 1]) expect(argumentsOf(out, index)).toBe(judgedArgs);
    expect(JSON.stringify(out)).not.toContain(TOKEN.slice(6));
    expect(guard.events.map((e) => e.location)).toEqual([
      'choices[0].delta.tool_calls[0].function.arguments',
      'choices[0].delta.tool_calls[1].function.arguments',
    ]);
  });

  it('Anthropic Messages: input_json_deltas go through a JSON guard; the rest comes just before content_block_stop', () => {
    const guard = guardWith();
    const rewriter = streamTextRewriter('anthropic-messages', guard);
    const out: SseEvent[] = [];
    for (const piece of pieces(args, 5)) {
      const data = { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: piece } };
      out.push(...rewriter.rewrite({ event: 'content_block_delta', data: JSON.stringify(data) }));
    }
    const beforeStop = out.length;
    expect(beforeStop).toBeGreaterThan(10);
    out.push(...rewriter.rewrite({ event: 'content_block_stop', data: JSON.stringify({ type: 'content_block_stop', index: 1 }) }));
    expect(out.slice(beforeStop).map((e) => e.event)).toEqual(['content_block_delta', 'content_block_stop']);
    const sent = out.filter((e) => e.event === 'content_block_delta').map((e) => (json(e).delta as { partial_json: string }).partial_json);
    expect(sent.join('')).toBe(judgedArgs);
    expect(sent).not.toContain('');
  });

  it('Responses: judged deltas, the same arguments in every event that repeats them, contiguous sequence numbers', () => {
    const event = numberedEvents();
    const guard = guardWith();
    const rewriter = streamTextRewriter('openai-responses', guard);
    const call = { item_id: 'fc_1', output_index: 1 };
    const item = { id: 'fc_1', type: 'function_call', call_id: 'call_1', name: 'deploy', arguments: args };
    const out: SseEvent[] = [
      ...rewriter.rewrite(event('response.output_item.added', { output_index: 1, item: { ...item, arguments: '' } })),
    ];
    for (const piece of pieces(args, 8))
      out.push(...rewriter.rewrite(event('response.function_call_arguments.delta', { ...call, delta: piece })));
    out.push(...rewriter.rewrite(event('response.function_call_arguments.done', { ...call, arguments: args })));
    out.push(...rewriter.rewrite(event('response.output_item.done', { output_index: 1, item: { ...item } })));
    out.push(...rewriter.rewrite(event('response.completed', { response: { output: [{ type: 'reasoning', id: 'rs_1' }, { ...item }] } })));

    const deltas = out.filter((e) => e.event === 'response.function_call_arguments.delta').map((e) => json(e).delta as string);
    expect(deltas.join('')).toBe(judgedArgs);
    expect(deltas).not.toContain('');
    const byType = (type: string) => json(out.find((e) => e.event === type)!);
    expect(byType('response.function_call_arguments.done').arguments).toBe(judgedArgs);
    expect((byType('response.output_item.done').item as typeof item).arguments).toBe(judgedArgs);
    expect((byType('response.completed').response as { output: (typeof item)[] }).output[1]!.arguments).toBe(judgedArgs);
    expect(JSON.stringify(out)).not.toContain(TOKEN.slice(6));
    expect(out.map((e) => json(e).sequence_number)).toEqual(out.map((_, i) => i));
    expect(guard.events).toHaveLength(1);

    // A call that arrives whole, with no deltas, is judged once, wherever it is repeated.
    const whole = { ...item, id: 'fc_2' };
    const rest = [
      ...rewriter.rewrite(event('response.function_call_arguments.done', { item_id: 'fc_2', output_index: 2, arguments: args })),
      ...rewriter.rewrite(event('response.output_item.done', { output_index: 2, item: whole })),
    ];
    expect(json(rest[0]!).arguments).toBe(judgedArgs);
    expect((json(rest[1]!).item as typeof item).arguments).toBe(judgedArgs);
    expect(guard.events).toHaveLength(2);
  });

  it('blocks the stream when the policy blocks a secret in the arguments, before the secret is sent', () => {
    const rewriter = streamTextRewriter('anthropic-messages', guardWith({ secrets: { output: 'block' } }));
    const sent: SseEvent[] = [];
    expect(() => {
      for (const piece of pieces(args, 5)) {
        const data = { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: piece } };
        sent.push(...rewriter.rewrite({ event: 'content_block_delta', data: JSON.stringify(data) }));
      }
      rewriter.rewrite({ event: 'content_block_stop', data: JSON.stringify({ type: 'content_block_stop', index: 0 }) });
    }).toThrow(GuardrailStreamBlocked);
    expect(JSON.stringify(sent)).not.toContain(TOKEN.slice(0, 8));
  });
});

describe('streamed refusals (the model’s own words)', () => {
  const refusal = `I will not deploy with ${TOKEN} in the open.`;
  const redacted = 'I will not deploy with [SECRET_1] in the open.';

  it('Chat Completions: refusal deltas are judged per choice, the rest released with the finish', () => {
    const rewriter = streamTextRewriter('openai-chat', guardWith());
    const out = [...pieces(refusal, 5).map((piece) => deltaChunk({ refusal: piece })), deltaChunk({}, 'stop'), { data: '[DONE]' }].flatMap(
      (e) => rewriter.rewrite(e),
    );
    const sent = out
      .filter((e) => e.data !== '[DONE]')
      .map((e) => (json(e).choices as { delta: { refusal?: string } }[])[0]!.delta.refusal ?? '')
      .join('');
    expect(sent).toBe(redacted);
  });

  it('Responses: refusal deltas, .done, the content part and the final item all say what was sent', () => {
    const rewriter = streamTextRewriter('openai-responses', guardWith());
    const event = numberedEvents();
    const part = { item_id: 'msg_1', output_index: 0, content_index: 0 };
    const item = { id: 'msg_1', type: 'message', content: [{ type: 'refusal', refusal }] };
    const out = [
      ...pieces(refusal, 6).map((delta) => event('response.refusal.delta', { ...part, delta })),
      event('response.refusal.done', { ...part, refusal }),
      event('response.content_part.done', { ...part, part: { type: 'refusal', refusal } }),
      event('response.output_item.done', { output_index: 0, item }),
      event('response.completed', { response: { output: [item] } }),
    ].flatMap((e) => rewriter.rewrite(e));
    expect(JSON.stringify(out)).not.toContain(TOKEN);
    const deltas = out.filter((e) => e.event === 'response.refusal.delta').map((e) => json(e).delta as string);
    expect(deltas.join('')).toBe(redacted);
    expect(json(out.find((e) => e.event === 'response.refusal.done')!).refusal).toBe(redacted);
    expect(JSON.stringify(out.at(-1))).toContain(redacted);
    const numbers = out.map((e) => json(e).sequence_number as number);
    expect(numbers).toEqual(numbers.map((_, i) => i));
  });
});

describe('shell and patch calls in a Responses stream (no deltas: they arrive whole)', () => {
  it('judges each command word and diff where it first appears, and every event that repeats it says the same', () => {
    const guard = guardWith();
    const rewriter = streamTextRewriter('openai-responses', guard);
    const event = numberedEvents();
    const shell = {
      id: 'sh_1',
      type: 'shell_call',
      call_id: 'c1',
      status: 'completed',
      action: { commands: ['git status', `git push https://oauth2:${TOKEN}@gitlab.example.com/x.git`] },
    };
    const patch = {
      id: 'ap_1',
      type: 'apply_patch_call',
      call_id: 'c2',
      operation: { type: 'update_file', path: '.env', diff: `+GITLAB_TOKEN=${TOKEN}` },
    };
    const out = [
      event('response.output_item.added', { output_index: 0, item: shell }),
      event('response.output_item.done', { output_index: 0, item: shell }),
      event('response.output_item.added', { output_index: 1, item: patch }),
      event('response.output_item.done', { output_index: 1, item: patch }),
      event('response.completed', { response: { output: [shell, patch] } }),
    ].flatMap((e) => rewriter.rewrite(e));
    expect(JSON.stringify(out)).not.toContain(TOKEN);
    const items = out.flatMap((e) => {
      const data = json(e) as { item?: unknown; response?: { output: unknown[] } };
      return data.item ? [data.item] : (data.response?.output ?? []);
    }) as { type: string; action?: { commands: string[] }; operation?: { diff: string } }[];
    for (const item of items.filter((i) => i.type === 'shell_call'))
      expect(item.action!.commands).toEqual(['git status', 'git push https://oauth2:[SECRET_1]@gitlab.example.com/x.git']);
    for (const item of items.filter((i) => i.type === 'apply_patch_call')) expect(item.operation!.diff).toBe('+GITLAB_TOKEN=[SECRET_1]');
    expect(items).toHaveLength(6);
    // Judged once each, however many events repeat them.
    expect(guard.events.map((e) => e.location)).toEqual(['output[0].action.commands[1]', 'output[1].operation.diff']);
  });
});

describe('tools the provider ran, in a Responses stream (MCP calls, the code interpreter)', () => {
  it('judges streamed MCP arguments as JSON and interpreter code as text, and their outputs where they first appear', () => {
    const guard = guardWith();
    const rewriter = streamTextRewriter('openai-responses', guard);
    const event = numberedEvents();
    const args = JSON.stringify({ repo: 'x', token: TOKEN });
    const code = `import os\nos.environ["GITLAB_TOKEN"] = "${TOKEN}"\nprint("ok")`;
    const mcp = { id: 'mcp_1', type: 'mcp_call', server_label: 'gitlab', name: 'clone', arguments: args, output: `cloned with ${TOKEN}` };
    const interpreter = {
      id: 'ci_1',
      type: 'code_interpreter_call',
      container_id: 'cntr_1',
      status: 'completed',
      code,
      outputs: [
        { type: 'logs', logs: `token=${TOKEN}` },
        { type: 'image', url: 'https://files.example/plot.png' },
      ],
    };
    const out: SseEvent[] = [
      ...rewriter.rewrite(event('response.output_item.added', { output_index: 0, item: { ...mcp, arguments: '', output: null } })),
      ...pieces(args, 5).flatMap((delta) =>
        rewriter.rewrite(event('response.mcp_call_arguments.delta', { item_id: 'mcp_1', output_index: 0, delta })),
      ),
      ...rewriter.rewrite(event('response.mcp_call_arguments.done', { item_id: 'mcp_1', output_index: 0, arguments: args })),
      ...rewriter.rewrite(event('response.output_item.done', { output_index: 0, item: { ...mcp } })),
      ...rewriter.rewrite(event('response.output_item.added', { output_index: 1, item: { ...interpreter, code: null, outputs: null } })),
      ...pieces(code, 6).flatMap((delta) =>
        rewriter.rewrite(event('response.code_interpreter_call_code.delta', { item_id: 'ci_1', output_index: 1, delta })),
      ),
      ...rewriter.rewrite(event('response.code_interpreter_call_code.done', { item_id: 'ci_1', output_index: 1, code })),
      ...rewriter.rewrite(event('response.output_item.done', { output_index: 1, item: structuredClone(interpreter) })),
      ...rewriter.rewrite(event('response.completed', { response: { output: [{ ...mcp }, structuredClone(interpreter)] } })),
    ];
    expect(JSON.stringify(out)).not.toContain(TOKEN.slice(6));
    const deltas = (type: string) =>
      out
        .filter((e) => e.event === type)
        .map((e) => json(e).delta as string)
        .join('');
    const judgedArgs = JSON.stringify({ repo: 'x', token: '[SECRET_1]' });
    const judgedCode = code.replace(TOKEN, '[SECRET_1]');
    expect(deltas('response.mcp_call_arguments.delta')).toBe(judgedArgs);
    expect(deltas('response.code_interpreter_call_code.delta')).toBe(judgedCode);
    const byType = (type: string) => out.filter((e) => e.event === type).map(json);
    expect(byType('response.mcp_call_arguments.done')[0]!.arguments).toBe(judgedArgs);
    expect(byType('response.code_interpreter_call_code.done')[0]!.code).toBe(judgedCode);
    const done = byType('response.output_item.done').map((e) => e.item);
    const final = (byType('response.completed')[0]!.response as { output: unknown[] }).output;
    for (const item of [done[0], final[0]]) expect(item).toMatchObject({ arguments: judgedArgs, output: 'cloned with [SECRET_1]' });
    for (const item of [done[1], final[1]])
      expect(item).toMatchObject({ code: judgedCode, outputs: [{ type: 'logs', logs: 'token=[SECRET_1]' }, { type: 'image' }] });
    // The item announced before its code was written keeps its null code.
    expect((byType('response.output_item.added')[1]!.item as { code: unknown }).code).toBeNull();
    expect(out.map((e) => json(e).sequence_number)).toEqual(out.map((_, i) => i));
    // Each text judged once, however many events repeat it.
    expect(guard.events.map((e) => e.location)).toEqual([
      'output[0].arguments',
      'output[0].output',
      'output[1].code',
      'output[1].outputs[0].logs',
    ]);
  });

  it('judges the tools an MCP server listed and a call waiting for approval (JSON) where they first appear', () => {
    const guard = guardWith();
    const rewriter = streamTextRewriter('openai-responses', guard);
    const event = numberedEvents();
    const listed = {
      id: 'mcpl_1',
      type: 'mcp_list_tools',
      server_label: 'gitlab',
      tools: [{ name: 'clone', description: `Clones with ${TOKEN}`, input_schema: { type: 'object', properties: {} } }],
    };
    const approval = {
      id: 'mcpr_1',
      type: 'mcp_approval_request',
      server_label: 'gitlab',
      name: 'clone',
      arguments: JSON.stringify({ token: TOKEN }),
    };
    const out: SseEvent[] = [
      ...rewriter.rewrite(event('response.output_item.added', { output_index: 0, item: structuredClone(listed) })),
      ...rewriter.rewrite(event('response.output_item.done', { output_index: 0, item: structuredClone(listed) })),
      ...rewriter.rewrite(event('response.output_item.added', { output_index: 1, item: { ...approval } })),
      ...rewriter.rewrite(event('response.output_item.done', { output_index: 1, item: { ...approval } })),
      ...rewriter.rewrite(event('response.completed', { response: { output: [structuredClone(listed), { ...approval }] } })),
    ];
    expect(JSON.stringify(out)).not.toContain(TOKEN.slice(6));
    const items = out.flatMap((e) => {
      const data = json(e) as { item?: unknown; response?: { output: unknown[] } };
      return data.item ? [data.item] : (data.response?.output ?? []);
    }) as { type: string; tools?: { description: string }[]; arguments?: string }[];
    expect(items).toHaveLength(6);
    for (const item of items.filter((i) => i.type === 'mcp_list_tools')) expect(item.tools![0]!.description).toBe('Clones with [SECRET_1]');
    // the arguments stay JSON
    for (const item of items.filter((i) => i.type === 'mcp_approval_request'))
      expect(JSON.parse(item.arguments!)).toEqual({ token: '[SECRET_1]' });
    expect(out.map((e) => json(e).sequence_number)).toEqual(out.map((_, i) => i));
    expect(guard.events.map((e) => e.location)).toEqual(['output[0].tools[0].description', 'output[1].arguments']);
  });
});

describe('streamed custom tool input (free text, not JSON)', () => {
  // A grammar-constrained input: a shell line with the token and a line break in it.
  const input = `${'echo "all services are green"; '.repeat(10)}deploy --token ${TOKEN} --note "rotate\nsoon"`;
  const judgedInput = input.replace(TOKEN, '[SECRET_1]');

  it('Responses: custom_tool_call_input deltas are judged, and every event that repeats the input says what was sent', () => {
    const event = numberedEvents();
    const guard = guardWith();
    const rewriter = streamTextRewriter('openai-responses', guard);
    const call = { item_id: 'ctc_1', output_index: 0 };
    const item = { id: 'ctc_1', type: 'custom_tool_call', call_id: 'call_1', name: 'shell', input };
    const out: SseEvent[] = [...rewriter.rewrite(event('response.output_item.added', { output_index: 0, item: { ...item, input: '' } }))];
    for (const piece of pieces(input, 7))
      out.push(...rewriter.rewrite(event('response.custom_tool_call_input.delta', { ...call, delta: piece })));
    // Most of it went out while it was written: only the window is held.
    const early = out.filter((e) => e.event === 'response.custom_tool_call_input.delta').map((e) => json(e).delta as string);
    expect(early.join('').length).toBeGreaterThan(input.length - 300);
    out.push(...rewriter.rewrite(event('response.custom_tool_call_input.done', { ...call, input })));
    out.push(...rewriter.rewrite(event('response.output_item.done', { output_index: 0, item: { ...item } })));
    out.push(...rewriter.rewrite(event('response.completed', { response: { output: [{ ...item }] } })));

    const deltas = out.filter((e) => e.event === 'response.custom_tool_call_input.delta').map((e) => json(e).delta as string);
    expect(deltas.join('')).toBe(judgedInput);
    expect(deltas).not.toContain('');
    const byType = (type: string) => json(out.find((e) => e.event === type)!);
    expect(byType('response.custom_tool_call_input.done').input).toBe(judgedInput);
    expect((byType('response.output_item.done').item as typeof item).input).toBe(judgedInput);
    expect((byType('response.completed').response as { output: (typeof item)[] }).output[0]!.input).toBe(judgedInput);
    expect(JSON.stringify(out)).not.toContain(TOKEN.slice(6));
    expect(out.map((e) => json(e).sequence_number)).toEqual(out.map((_, i) => i));
    expect(guard.events.map((e) => e.location)).toEqual(['output[0].input']);

    // A custom call that arrives whole is judged once, wherever it is repeated.
    const whole = { ...item, id: 'ctc_2' };
    const rest = [
      ...rewriter.rewrite(event('response.output_item.done', { output_index: 1, item: whole })),
      ...rewriter.rewrite(event('response.completed', { response: { output: [{ ...whole }] } })),
    ];
    expect((json(rest[0]!).item as typeof item).input).toBe(judgedInput);
    expect((json(rest[1]!).response as { output: (typeof item)[] }).output[0]!.input).toBe(judgedInput);
    expect(guard.events).toHaveLength(2);
  });

  it('Chat Completions: a custom call’s input deltas are judged as text and released before the next call, in order', () => {
    const guard = guardWith();
    const rewriter = streamTextRewriter('openai-chat', guard);
    const chunk = callsChunk;
    const out = [...rewriter.rewrite(chunk([{ index: 0, id: 'call_0', type: 'custom', custom: { name: 'shell', input: '' } }]))];
    for (const piece of pieces(input, 6)) out.push(...rewriter.rewrite(chunk([{ index: 0, custom: { input: piece } }])));
    out.push(
      ...rewriter.rewrite(
        chunk([{ index: 1, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }], 'tool_calls'),
      ),
    );
    type Call = { index: number; custom?: { input?: string }; function?: { arguments?: string } };
    const sent = out.flatMap((e) => (json(e).choices as { delta: { tool_calls?: Call[] } }[]).flatMap((c) => c.delta.tool_calls ?? []));
    expect(
      sent
        .filter((c) => c.index === 0)
        .map((c) => c.custom?.input ?? '')
        .join(''),
    ).toBe(judgedInput);
    expect(sent.filter((c) => c.index === 0).every((c) => c.function === undefined)).toBe(true);
    expect(sent.filter((c) => c.index === 1).map((c) => c.function?.arguments)).toEqual(['{"a":1}']);
    const order = sent.map((c) => c.index);
    expect(order).toEqual([...order].sort());
    expect(JSON.stringify(out)).not.toContain(TOKEN.slice(6));
    expect(guard.events.map((e) => e.location)).toEqual(['choices[0].delta.tool_calls[0].custom.input']);
  });
});

describe('streamed reasoning (judged, never changed)', () => {
  const LOGGED = { secrets: { output: 'log' as const } };
  const thought = `I should use ${TOKEN} to log in, then check the deploy. `.repeat(2);
  /** Runs events through a rewriter; a block ends the run and is returned with what was sent before it. */
  const run = (rewriter: ReturnType<typeof streamTextRewriter>, events: SseEvent[]) => {
    const out: SseEvent[] = [];
    try {
      for (const event of events) out.push(...rewriter.rewrite(event));
      out.push(...rewriter.flush());
      return { out, blocked: undefined };
    } catch (error) {
      if (!(error instanceof GuardrailStreamBlocked)) throw error;
      return { out, blocked: error.event };
    }
  };

  /** With the default policy (secrets redacted in answers), reasoning holding one is refused, and no part of it was sent. */
  const expectBlockedBeforeSent = (format: 'openai-chat' | 'openai-responses', events: SseEvent[], location: string) => {
    const { out, blocked } = run(streamTextRewriter(format, guardWith()), events);
    expect(blocked).toMatchObject({ detector: 'secret', action: 'block', location });
    expect(JSON.stringify(out)).not.toContain(TOKEN.slice(0, 10));
  };

  describe('Anthropic Messages', () => {
    const thinkingDelta = (thinking: string): SseEvent => ({
      event: 'content_block_delta',
      data: JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking } }),
    });
    const events = (text: string): SseEvent[] => [
      ...pieces(text, 7).map(thinkingDelta),
      {
        event: 'content_block_delta',
        data: JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'c2ln' } }),
      },
      { event: 'content_block_stop', data: JSON.stringify({ type: 'content_block_stop', index: 0 }) },
    ];
    const sentThinking = (out: SseEvent[]) =>
      out
        .filter((e) => e.event === 'content_block_delta')
        .map((e) => (json(e).delta as { thinking?: string }).thinking ?? '')
        .join('');

    it('blocks where the policy would redact, before the secret is sent', () => {
      const { out, blocked } = run(streamTextRewriter('anthropic-messages', guardWith()), events(thought));
      expect(blocked).toMatchObject({ detector: 'secret', action: 'block', location: 'content[0].thinking' });
      expect(sentThinking(out)).not.toContain(TOKEN);
      expect(sentThinking(out)).not.toContain('[SECRET_1]');
    });

    it('passes byte for byte where the policy logs, with the held text before the signature', () => {
      const guard = guardWith(LOGGED);
      const { out, blocked } = run(streamTextRewriter('anthropic-messages', guard), events(thought));
      expect(blocked).toBeUndefined();
      expect(sentThinking(out)).toBe(thought);
      const kinds = out.map((e) => (e.event === 'content_block_delta' ? (json(e).delta as { type: string }).type : e.event));
      expect(kinds.slice(-3)).toEqual(['thinking_delta', 'signature_delta', 'content_block_stop']);
      expect(guard.events.map((e) => [e.location, e.action])).toEqual([
        ['content[0].thinking', 'log'],
        ['content[0].thinking', 'log'],
      ]);
    });
  });

  describe('Chat Completions', () => {
    const chunk = deltaChunk;
    const events = (text: string): SseEvent[] => [
      ...pieces(text, 6).map((piece) => chunk({ reasoning_content: piece })),
      chunk({ thinking_blocks: [{ type: 'thinking', thinking: text, signature: 'c2ln' }] }),
      chunk({ content: 'Done.' }),
      chunk({}, 'stop'),
      { data: '[DONE]' },
    ];
    const deltas = (out: SseEvent[]) =>
      out
        .filter((e) => e.data !== '[DONE]')
        .map((e) => (json(e).choices as { delta: { reasoning_content?: string; thinking_blocks?: unknown } }[])[0]!.delta);

    it('blocks a secret in reasoning_content before it is sent', () =>
      expectBlockedBeforeSent('openai-chat', events(thought), 'choices[0].delta.reasoning_content'));

    it('judges the repeated signed block once, and sends the reasoning whole before it', () => {
      const guard = guardWith(LOGGED);
      const { out, blocked } = run(streamTextRewriter('openai-chat', guard), events(thought));
      expect(blocked).toBeUndefined();
      const sent = deltas(out);
      const blockAt = sent.findIndex((d) => d.thinking_blocks !== undefined);
      expect(
        sent
          .slice(0, blockAt + 1)
          .map((d) => d.reasoning_content ?? '')
          .join(''),
      ).toBe(thought);
      expect(guard.events.map((e) => e.location)).toEqual(['choices[0].delta.reasoning_content', 'choices[0].delta.reasoning_content']);
    });

    it('judges a signed block that arrives with no reasoning before it', () => {
      const lone = [chunk({ thinking_blocks: [{ type: 'thinking', thinking: thought, signature: 'c2ln' }] }), chunk({}, 'stop')];
      expect(run(streamTextRewriter('openai-chat', guardWith()), lone).blocked).toMatchObject({
        location: 'choices[0].delta.thinking_blocks[0].thinking',
      });
    });
  });

  describe('Responses', () => {
    const ref = { item_id: 'rs_1', output_index: 0, summary_index: 0 };
    const item = (text: string) => ({ id: 'rs_1', type: 'reasoning', summary: [{ type: 'summary_text', text }] });
    const events = (text: string): SseEvent[] => {
      const event = numberedEvents();
      return [
        ...pieces(text, 6).map((delta) => event('response.reasoning_summary_text.delta', { ...ref, delta })),
        event('response.reasoning_summary_text.done', { ...ref, text }),
        event('response.output_item.done', { output_index: 0, item: item(text) }),
        event('response.completed', { response: { output: [item(text)] } }),
      ];
    };

    it('blocks a secret in a reasoning summary before it is sent', () =>
      expectBlockedBeforeSent('openai-responses', events(thought), 'output[0].summary[0].text'));

    it('passes it unchanged where the policy logs: the rest before .done, one judgement, contiguous numbers', () => {
      const guard = guardWith(LOGGED);
      const { out, blocked } = run(streamTextRewriter('openai-responses', guard), events(thought));
      expect(blocked).toBeUndefined();
      const types = out.map((e) => e.event);
      const done = types.indexOf('response.reasoning_summary_text.done');
      expect(types.slice(0, done).every((t) => t === 'response.reasoning_summary_text.delta')).toBe(true);
      expect(
        out
          .slice(0, done)
          .map((e) => json(e).delta)
          .join(''),
      ).toBe(thought);
      expect(guard.events).toHaveLength(2);
      const numbers = out.map((e) => json(e).sequence_number as number);
      expect(numbers).toEqual(numbers.map((_, i) => i));
    });

    it('judges a reasoning item that arrives whole, once', () => {
      const event = numberedEvents();
      const whole = [event('response.output_item.done', { output_index: 0, item: item(thought) })];
      expect(run(streamTextRewriter('openai-responses', guardWith()), whole).blocked).toMatchObject({
        location: 'output[0].summary[0].text',
      });
    });
  });

  it('never restores a placeholder in reasoning (it is sent back as signed), but does in the text beside it', async () => {
    const email = ['jane', 'example.com'].join('@');
    const guard = guardWith({ pii: { actions: { EMAIL: 'redact' }, reversible: true } });
    await guard.judge(requestSlots('anthropic-messages', { messages: [{ role: 'user', content: `I am ${email}` }] }), 'input');
    const rewriter = streamTextRewriter('anthropic-messages', guard);
    const delta = (index: number, body: Record<string, string>): SseEvent => ({
      event: 'content_block_delta',
      data: JSON.stringify({ type: 'content_block_delta', index, delta: body }),
    });
    const { out } = run(rewriter, [
      delta(0, { type: 'thinking_delta', thinking: 'The user is [EMAIL_1]. ' }),
      delta(1, { type: 'text_delta', text: 'Hello [EMAIL_1]. ' }),
      { event: 'message_stop', data: JSON.stringify({ type: 'message_stop' }) },
    ]);
    const sent = (type: string, field: string) =>
      out
        .filter((e) => e.event === 'content_block_delta' && (json(e).delta as { type: string }).type === type)
        .map((e) => (json(e).delta as Record<string, string>)[field])
        .join('');
    expect(sent('thinking_delta', 'thinking')).toBe('The user is [EMAIL_1]. ');
    expect(sent('text_delta', 'text')).toBe(`Hello ${email}. `);
  });
});
