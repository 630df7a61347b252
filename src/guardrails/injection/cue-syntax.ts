/**
 * The pieces cue patterns are written with (cues.ts, cues-classic.ts). Every gap is bounded, so
 * a cue's sticky regex does linear work from its trigger.
 */
import type { InjectionCategory } from '../types.js';

/** A cue before compiling: its trigger words (or one punctuation character) and the pattern after them. */
export type CueSpec = [id: string, category: InjectionCategory, triggers: string[], rest: string, lineStart?: boolean];

/** Up to n filler words between two parts of a phrase. */
export const gap = (n: number): string => `(?:[\\s,]+[a-z'’-]+){0,${n}}?`;
/** Spaces and light punctuation between two words. */
export const S = '[\\s,:-]+';
/** One of the alternatives. */
export const w = (...alts: string[]): string => `(?:${alts.join('|')})`;

export const IH: InjectionCategory = 'INSTRUCTION_HIJACKING';
export const RC: InjectionCategory = 'ROLE_CONFUSION';
export const CS: InjectionCategory = 'CONTEXT_SMUGGLING';
export const DI: InjectionCategory = 'DELIMITER_INJECTION';
