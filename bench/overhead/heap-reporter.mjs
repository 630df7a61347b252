// Preloaded (`node --expose-gc --import`) into the gateway by the soak benchmark: on the parent's
// "heap" message, runs a full GC and answers with process.memoryUsage(). Only on request, so the
// gateway does no extra work between samples; the IPC channel is unref'd so it never keeps the
// process alive on its own.
if (process.send) {
  process.on('message', (m) => {
    if (m !== 'heap') return;
    globalThis.gc?.();
    process.send(process.memoryUsage());
  });
  process.channel?.unref();
}
