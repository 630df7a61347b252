/**
 * Runs the enabled detectors over one text and returns their findings in text order. The
 * detectors are independent (each reports offsets into the original text), so a policy is just
 * which of them run.
 */
import { detectionView } from './detection-view.js';
import { detectInjection } from './injection/detect.js';
import { detectToolPoisoning } from './injection/tool-poisoning.js';
import type { Detector, DetectorName, Finding } from './types.js';
import { valueFindings } from './value-findings.js';
import { appendAll } from '../append-all.js';

export type ScanOptions = {
  detectors: ReadonlySet<DetectorName>;
  custom?: Detector;
  /**
   * `toolDefinition`: the text is a tool's description (or its texts joined, one per line), read
   * for tool poisoning (injection/tool-poisoning.ts) instead of by the prompt-injection model, as
   * the gateway reads tool definitions.
   */
  kind?: 'text' | 'toolDefinition';
};

export const ALL_BUILT_IN: ReadonlySet<DetectorName> = new Set(['pii', 'secret', 'injection']);

export function scanText(text: string, options: ScanOptions = { detectors: ALL_BUILT_IN }): Finding[] {
  const findings: Finding[] = [];
  const { detectors } = options;
  // The secret rules run once: their findings are also the PII detector's API_KEY type. Both
  // read the text with look-alike characters read as ASCII (detection-view.ts), and what its
  // base64 runs decode to (encoded-values.ts), and the text as written too (value-findings.ts).
  const view = detectors.has('secret') || detectors.has('pii') ? detectionView(text) : undefined;
  const values = view ? valueFindings(text, view) : undefined;
  if (values && detectors.has('secret')) appendAll(findings, values.secrets);
  if (values && detectors.has('pii')) appendAll(findings, values.pii);
  if (detectors.has('injection'))
    appendAll(findings, options.kind === 'toolDefinition' ? detectToolPoisoning(text) : detectInjection(text));
  if (options.custom && options.detectors.has('custom')) appendAll(findings, options.custom(text));
  return findings.sort((a, b) => a.start - b.start || a.end - b.end);
}
