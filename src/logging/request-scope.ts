/**
 * The request id on every line logged while a request is handled, whichever logger wrote it. Code
 * deep in a request (identity, budget alerts, provider fallbacks, route handlers) often logs through
 * a service-level logger it was built with, not the request's `c.get('logger')`; threading the
 * request logger through every dependency would be easy to forget on the next call site. Instead
 * requestIdMiddleware runs the rest of the request in this scope, and every logger made by
 * createLogger adds the scope's request id to lines that do not carry one already.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';

const scope = new AsyncLocalStorage<string>();

/**
 * Marks a logger whose bindings already hold `requestId`. pino children inherit from their parent
 * (Object.create), so children of a request logger carry the mark too and the id is not repeated.
 */
const REQUEST_ID_BOUND = Symbol('portcullis.requestIdBound');

type Marked = { [REQUEST_ID_BOUND]?: true };

/** Runs fn (the rest of the request) with its request id in scope, for every async continuation of fn. */
export function runInRequestScope<T>(requestId: string, fn: () => T): T {
  return scope.run(requestId, fn);
}

/**
 * Runs fn outside any request: timers and callbacks created in it belong to no request. For
 * background work that a request merely kicks off (a batch writer's flush timer), so its lines are
 * not tagged with whichever request happened to arm the timer.
 */
export function outsideRequestScope<T>(fn: () => T): T {
  return scope.exit(fn);
}

/** A child logger carrying this request id, for work that outlives the request's async scope. */
export function requestLogger(logger: Logger, requestId: string): Logger {
  const child = logger.child({ requestId });
  (child as Logger & Marked)[REQUEST_ID_BOUND] = true;
  return child;
}

/** Nothing to add: the merge strategy returns the line's own fields untouched (no copy per line). */
const NOTHING: Readonly<Record<string, never>> = Object.freeze({});

/** pino `mixin`: the request id in scope, unless the line or the logger carries one already. */
export function requestIdMixin(mergeObject: object, _level: number, logger: Logger): object {
  if ((logger as Logger & Marked)[REQUEST_ID_BOUND] === true || 'requestId' in mergeObject) return NOTHING;
  const requestId = scope.getStore();
  return requestId === undefined ? NOTHING : { requestId };
}

/** pino `mixinMergeStrategy`: the line's own fields win, as in pino's default. */
export function mergeRequestId(mergeObject: object, mixinObject: object): object {
  return mixinObject === NOTHING ? mergeObject : Object.assign(mixinObject, mergeObject);
}
