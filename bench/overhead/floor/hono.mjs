// Floor proxy on Hono + @hono/node-server, wired as src/http/serve.ts does (getRequestListener on
// a node:http server, default options, so the package's lightweight global Request/Response
// apply) and reading the body as src/http/json-body.ts does (c.req.text() then JSON.parse). One
// route, no middleware: what this costs over node-http.mjs is the framework's share of the floor.
import http from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { forward } from './forward.mjs';

const app = new Hono();
app.post('/v1/chat/completions', async (c) => {
  const payload = JSON.parse(await c.req.text());
  const { status, answer } = await forward(payload, c.req.header('authorization'));
  return c.json(answer, status);
});

const listener = getRequestListener(app.fetch, { hostname: '127.0.0.1' });
const server = http.createServer((req, res) => void listener(req, res));
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
