/**
 * The last index `i` in [0, count) whose key is at or before `target`, for keys that ascend with
 * `i` (where a piece of a read value starts, in the reading or in the text); 0 when none is.
 * A binary search: a reading may have thousands of pieces, and each finding maps two offsets.
 */
export function lastAtOrBefore(count: number, keyAt: (i: number) => number, target: number): number {
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (keyAt(mid) <= target) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
