// What the benchmark sends, and to whom: the same chat request (a system prompt and a ~700-character
// user turn in which no detector finds anything, so the guarded target pays for scanning, not for
// redacting) to each target, in the form that target expects.

const system = 'You are a helpful writing assistant for small businesses. Answer in plain English.';
const user =
  'I run a small bakery and want to write a short note for our regular customers about the new opening hours. ' +
  'From next month we open at seven on weekdays instead of eight, close an hour later on Fridays, and stay closed on Mondays. ' +
  'The note should sound warm but not gushing, thank people for their patience during the renovation, and mention that the ' +
  'sourdough and the cinnamon rolls are back. Please keep it under one hundred and fifty words, avoid exclamation marks, and ' +
  'end with a line inviting them to try the new rye loaf. Could you also suggest two subject lines for the newsletter email, ' +
  'one plain and one a little playful, and tell me which you would pick and why in a sentence or two.';

export const chatBody = (model, extra = {}) =>
  JSON.stringify({
    model,
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: user },
    ],
    ...extra,
  });

/** What the fake upstream streams (fake-upstream.mjs): "Hello", then " word1" … one per chunk. */
export const expectedStreamText = (chunks) => ['Hello', ...Array.from({ length: chunks - 1 }, (_, i) => ` word${i + 1}`)].join('');

export function buildTargets({ upstream, proxy, portkey, gateway, keys }) {
  const json = { 'content-type': 'application/json' };
  const target = (name, url, headers, model, pid) => ({
    name,
    url: `${url}/v1/chat/completions`,
    headers: { ...json, ...headers },
    body: chatBody(model),
    streamBody: chatBody(model, { stream: true }),
    pid,
  });
  return [
    target('direct', upstream.url, { authorization: 'Bearer sk-bench' }, 'gpt-5.4-mini', upstream.child.pid),
    target('bare proxy', proxy.url, { authorization: 'Bearer sk-bench' }, 'gpt-5.4-mini', proxy.child.pid),
    // Portkey's documented way to reach an OpenAI-compatible server at another address: the provider
    // header plus x-portkey-custom-host, the base URL it appends /chat/completions to.
    target(
      'Portkey',
      portkey.url,
      { authorization: 'Bearer sk-bench', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream.url}/v1` },
      'gpt-5.4-mini',
      portkey.child.pid,
    ),
    target('Portcullis', gateway.url, { authorization: `Bearer ${keys.unguarded}` }, 'openai/gpt-5.4-mini', gateway.child.pid),
    target('Portcullis+guardrails', gateway.url, { authorization: `Bearer ${keys.guarded}` }, 'openai/gpt-5.4-mini', gateway.child.pid),
  ];
}
