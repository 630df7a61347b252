// A minimal OpenAI-compatible upstream for the overhead benchmark: answers every
// POST /v1/chat/completions with the same small chat.completion, as fast as Node can; with
// `"stream": true`, with SSE chunks paced like a fast model (STREAM_CHUNKS chunks, STREAM_GAP_MS
// apart, the first at once), so a gateway's added time to first token can be measured.
// GET /bench/hits says how many completions it has served, so the benchmark can check that a
// gateway really forwarded each request (and did not answer from a cache or an error path).
import http from 'node:http';

const chunks = Number(process.env.STREAM_CHUNKS ?? 10);
const gapMs = Number(process.env.STREAM_GAP_MS ?? 5);
const hits = { completions: 0, streams: 0 };

const body = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'gpt-5.4-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from the benchmark upstream.' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 },
});

const chunk = (delta, finishReason = null, usage = undefined) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'gpt-5.4-mini',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
    ...(usage ? { usage } : {}),
  })}\n\n`;

function stream(res) {
  hits.streams += 1;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  let sent = 0;
  const next = () => {
    if (res.destroyed) return;
    if (sent < chunks) {
      res.write(chunk(sent === 0 ? { role: 'assistant', content: 'Hello' } : { content: ` word${sent}` }));
      sent += 1;
      setTimeout(next, gapMs);
      return;
    }
    res.write(chunk({}, 'stop', { prompt_tokens: 12, completion_tokens: chunks, total_tokens: 12 + chunks }));
    res.end('data: [DONE]\n\n');
  };
  next();
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/bench/hits') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(hits));
    return;
  }
  const parts = [];
  req.on('data', (d) => parts.push(d));
  req.on('end', () => {
    hits.completions += 1;
    // Only a body that asks for a stream is parsed: the plain path stays as cheap as before.
    const raw = Buffer.concat(parts);
    if (raw.includes('"stream":true') || raw.includes('"stream": true')) return stream(res);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => process.send?.({ port: server.address().port }));
