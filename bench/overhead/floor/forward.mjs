// The one step every JSON-aware gateway takes after reading a request: serialize the (possibly
// rewritten) body, send it upstream over a keep-alive pool, read the answer as text and parse it
// (for usage, translation, errors). Two clients, so the floor of each can be compared: undici's
// request() on an Agent (what src/gateway/upstream/http-client.ts uses) and global fetch (the
// undici Node bundles, which builds WHATWG Request/Response/Headers objects on top).
import { Agent, request } from 'undici';

const upstream = new URL('/v1/chat/completions', process.env.UPSTREAM);
// No cap on connections, like the gateway's agent (maxConnectionsPerOrigin unset).
const agent = new Agent({ keepAliveTimeout: 60_000, headersTimeout: 0, bodyTimeout: 0 });

export async function viaUndici(payload, authorization) {
  const res = await request(upstream, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify(payload),
    dispatcher: agent,
  });
  return { status: res.statusCode, answer: JSON.parse(await res.body.text()) };
}

export async function viaFetch(payload, authorization) {
  const res = await fetch(upstream, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify(payload),
  });
  return { status: res.status, answer: JSON.parse(await res.text()) };
}

/** Picks the client named by the FORWARD env var, so each server file serves either. */
export const forward = process.env.FORWARD === 'fetch' ? viaFetch : viaUndici;
