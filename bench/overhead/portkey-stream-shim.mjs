// Preloaded (`node --import`) into Portkey's gateway by the benchmark, for streamed answers only.
// @portkey-ai/gateway 1.15.2 re-wraps an upstream stream as `new Response(stream, upstreamResponse)`
// and then appends its x-portkey-* headers. With the @hono/node-server its semver range resolves to
// here (1.19.x, whose lightweight Response keeps the init's Headers object as is), those are the
// fetch response's immutable headers, and every streamed request fails with 500 "TypeError:
// immutable". (Portkey's repository builds against @hono/node-server 1.13.5, the version its
// patches/ name; the published package carries no patches, so its patch-package postinstall has
// nothing to apply.) Giving event-stream answers a fresh native Response with a copy of the
// headers lets Portkey stream; non-streamed answers are passed through untouched.
const nativeFetch = globalThis.fetch;
const NativeResponse = globalThis.Response;

globalThis.fetch = async (...args) => {
  const res = await nativeFetch(...args);
  if (!res.headers.get('content-type')?.startsWith('text/event-stream')) return res;
  return new NativeResponse(res.body, { status: res.status, statusText: res.statusText, headers: new Headers(res.headers) });
};
