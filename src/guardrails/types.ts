/**
 * What every guardrail detector returns. Offsets are JavaScript string indices (UTF-16 code
 * units) into the text as the caller gave it — never into a normalised copy — so redaction and
 * the evaluation harness (`portcullis guardrails scan`) can use them directly.
 */
export const DETECTORS = ['pii', 'secret', 'injection', 'custom'] as const;
export type DetectorName = (typeof DETECTORS)[number];

export const PII_TYPES = ['EMAIL', 'PHONE', 'SSN', 'CREDIT_CARD', 'IP_ADDRESS', 'API_KEY'] as const;
export type PiiType = (typeof PII_TYPES)[number];

export const INJECTION_CATEGORIES = ['INSTRUCTION_HIJACKING', 'ROLE_CONFUSION', 'CONTEXT_SMUGGLING', 'DELIMITER_INJECTION'] as const;
export type InjectionCategory = (typeof INJECTION_CATEGORIES)[number];

export type Finding = {
  detector: DetectorName;
  /**
   * pii: a PiiType; secret: the rule id (e.g. `aws-access-key-id`, `generic-high-entropy`);
   * injection: an InjectionCategory; custom: the rule's id.
   */
  type: string;
  /** [start, end) in the original text. */
  start: number;
  end: number;
  /** 0..1: how sure the detector is (a checksum-verified card is surer than a bare digit run). */
  confidence: number;
  /**
   * The value as the detector read it when that is not the text at [start, end): the key inside
   * a base64 run (encoded-values.ts). Only its keyed hash leaves the process; never written out.
   */
  readAs?: string;
};

/** A detector: pure, synchronous, no I/O, linear in the text's length. */
export type Detector = (text: string) => Finding[];
