// Floor proxy on plain node:http: read the body, parse it, forward it (forward.mjs), parse the
// answer and send it back re-serialized. No routing, auth, validation or logging: whatever this
// costs over bare-proxy.mjs is the price of handling JSON at all, before any gateway feature.
import http from 'node:http';
import { forward } from './forward.mjs';

const server = http.createServer((req, res) => {
  const parts = [];
  req.on('data', (d) => parts.push(d));
  req.on('end', () => {
    const payload = JSON.parse(Buffer.concat(parts).toString('utf8'));
    forward(payload, req.headers.authorization).then(
      ({ status, answer }) => {
        const body = JSON.stringify(answer);
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      },
      () => {
        res.writeHead(502);
        res.end();
      },
    );
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
