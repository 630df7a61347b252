/**
 * The current value of every variable that came from a secret reference, with change listeners:
 * the refresher sets new values, and whatever can use a rotated secret without a restart listens.
 *
 *   runtime.secretValues.onChange('MASTER_KEY', ({ value, previous }) => { ... });
 *
 * Listeners run synchronously in registration order after the value is stored; one that throws
 * does not stop the others (the error goes to `onListenerError`).
 */
import type { VariableName } from '../config/variables.js';

export type SecretChange = { name: VariableName; value: string; previous: string };
export type SecretChangeListener = (change: SecretChange) => void;

export class SecretValues {
  private readonly values = new Map<VariableName, string>();
  private readonly listeners = new Map<VariableName, Set<SecretChangeListener>>();

  constructor(
    initial: Iterable<readonly [VariableName, string]> = [],
    private readonly onListenerError: (error: unknown, name: VariableName) => void = () => undefined,
  ) {
    for (const [name, value] of initial) this.values.set(name, value);
  }

  /** Variables whose value came from a reference. */
  names(): VariableName[] {
    return [...this.values.keys()];
  }

  get(name: VariableName): string | undefined {
    return this.values.get(name);
  }

  /** Returns an unsubscribe function. */
  onChange(name: VariableName, listener: SecretChangeListener): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  listenerCount(name: VariableName): number {
    return this.listeners.get(name)?.size ?? 0;
  }

  /** Stores a value; returns true (and notifies) only when it differs from the current one. */
  set(name: VariableName, value: string): boolean {
    const previous = this.values.get(name);
    if (previous === value) return false;
    this.values.set(name, value);
    if (previous === undefined) return true;
    for (const listener of this.listeners.get(name) ?? []) {
      try {
        listener({ name, value, previous });
      } catch (error) {
        this.onListenerError(error, name);
      }
    }
    return true;
  }
}
