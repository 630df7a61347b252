/**
 * Appends every item of `lists` to `target`, one at a time. `target.push(...list)` passes the
 * items as arguments, and past about 100,000 of them (the findings of a few megabytes of text
 * full of addresses) it throws "Maximum call stack size exceeded": the request failed instead of
 * being judged.
 */
export function appendAll<T>(target: T[], ...lists: readonly (readonly T[])[]): T[] {
  for (const list of lists) for (const item of list) target.push(item);
  return target;
}
