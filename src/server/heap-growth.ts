/**
 * Heap growth of a gateway-only process. V8 lets the old generation grow to up to 4x what survived
 * the last full GC before collecting again; under load the gateway promotes short-lived request
 * garbage, so a ~37 MB live heap grew to ~100 MB of old space and the process to 220–280 MB RSS
 * (bench/overhead, 32 connections). A fixed 1.3x growth factor keeps the peak near 155 MB, for
 * more frequent full GCs (about 10% more CPU per request in one busy-machine comparison): a replica
 * whose memory stays near its live heap is what a container limit can be sized by
 * (docs/scaling.md#memory-of-a-gateway-process).
 */
import { setFlagsFromString } from 'node:v8';

export const GATEWAY_HEAP_GROWING_PERCENT = 30;

/** Whether the operator chose the growth factor (node flag or NODE_OPTIONS): theirs wins. */
export function heapGrowthChosen(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].some((arg) => /^--heap[-_]growing[-_]percent\b/.test(arg));
}

/** Call before the heap grows (at command start); returns whether the flag was set here. */
export function limitHeapGrowth(execArgv = process.execArgv, nodeOptions = process.env.NODE_OPTIONS): boolean {
  if (heapGrowthChosen(execArgv, nodeOptions)) return false;
  setFlagsFromString(`--heap-growing-percent=${GATEWAY_HEAP_GROWING_PERCENT}`);
  return true;
}
