/** Rejects NaN, fractions, negatives and zero, which would otherwise yield empty or odd output. */
export function assertPositiveInteger(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer`);
  }
}
