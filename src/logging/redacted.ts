// One marker for every kind of redaction (field paths, registered values, known shapes) so
// operators and tests can grep for a single string.
export const REDACTED = '[REDACTED]';
