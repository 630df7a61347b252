/**
 * Applies a policy to one text: runs the enabled detectors, decides each finding's action, and
 * returns either a block (the first blocking finding) or the text with masks and placeholders in
 * place, plus one event per finding. Events carry the type, offsets, action and a keyed hash of
 * the matched value (the caller's HMAC under a per-org key: a plain hash of an SSN could be
 * brute-forced) — never the value itself.
 */
import { customDetector } from '../custom/detect.js';
import type { CompiledRule } from '../custom/rules.js';
import { detectInjection } from '../injection/detect.js';
import { detectToolPoisoning } from '../injection/tool-poisoning.js';
import { detectionView } from '../detection-view.js';
import { PII_TYPES, type DetectorName, type Finding, type PiiType } from '../types.js';
import { piiFindingAction, strongerAction, type GuardrailAction, type GuardrailPolicy } from './policy.js';
import type { RedactionVault } from './vault.js';
import { plainEmail } from '../pii/email-obfuscated.js';
import { valueFindings } from '../value-findings.js';

export type Direction = 'input' | 'output';

export type GuardrailEvent = {
  detector: DetectorName;
  /** PII type, secret rule id, injection category or custom rule id. */
  type: string;
  action: GuardrailAction;
  start: number;
  end: number;
  /** The caller's keyed hash of the matched text. */
  valueHash: string;
};

export type GuardrailOutcome =
  { blocked: GuardrailEvent; events: GuardrailEvent[] } | { blocked: undefined; text: string; changed: boolean; events: GuardrailEvent[] };

export type ApplyContext = {
  policy: GuardrailPolicy;
  /** The policy's custom rules, compiled once per policy version (custom/rules.ts). */
  customRules: readonly CompiledRule[];
  direction: Direction;
  /** HMAC of a matched value under the org's key. */
  hash: (value: string) => string;
  /** The request's placeholders (consistent numbering, reversible redaction). */
  vault: RedactionVault;
};

const isPiiType = (type: string): type is PiiType => (PII_TYPES as readonly string[]).includes(type);
const CUSTOM_ACTION: Readonly<Record<'block' | 'redact' | 'flag', GuardrailAction>> = { block: 'block', redact: 'redact', flag: 'log' };

/** A finding with the action the policy gives it. */
export type FoundAction = { finding: Finding; action: GuardrailAction };

/**
 * For a text the gateway may not change (reasoning the provider signed): a redaction or mask
 * becomes a block, and `log` and `block` stay as they are.
 */
export const blockingChanges = (entry: FoundAction): FoundAction =>
  entry.action === 'redact' || entry.action === 'mask' ? { ...entry, action: 'block' } : entry;

/** What kind of text is judged: a tool's description or schema text is developer text read for tool poisoning. */
export type TextKind = 'text' | 'toolDefinition';

/**
 * Every finding of the enabled detectors with the action the policy gives it, in text order. Needs
 * only the policy, the direction and the compiled custom rules, so it can run in a worker. A tool
 * definition (`kind`) is not read by the injection model, which reads every description as an
 * order, but by the tool-poisoning rules, acted on as `injection.toolDefinitions` says.
 */
export function findGuardrailActions(
  text: string,
  context: Pick<ApplyContext, 'policy' | 'direction' | 'customRules'>,
  kind: TextKind = 'text',
): FoundAction[] {
  const { policy, direction } = context;
  const out: FoundAction[] = [];
  // Secrets and PII read the text with look-alike characters read as ASCII (detection-view.ts),
  // and what its base64 runs decode to (encoded-values.ts), and the text as written too
  // (value-findings.ts).
  const view = policy.secrets.enabled || policy.pii.enabled ? detectionView(text) : undefined;
  const values = view ? valueFindings(text, view) : { secrets: [], pii: [] };
  if (policy.secrets.enabled) for (const finding of values.secrets) out.push({ finding, action: policy.secrets[direction] });
  if (policy.pii.enabled)
    for (const finding of values.pii) {
      // With the secret detector on, a key is its finding (and its action), not PII's too.
      if (finding.type === 'API_KEY' && policy.secrets.enabled) continue;
      if (isPiiType(finding.type)) out.push({ finding, action: piiFindingAction(policy, finding.type, finding.confidence) });
    }
  // The model scores prompts; a response quoting an attack is not one.
  const poisoning = policy.injection.toolDefinitions;
  if (policy.injection.enabled && direction === 'input' && kind === 'toolDefinition' && poisoning !== 'off')
    for (const finding of detectToolPoisoning(text)) out.push({ finding, action: poisoning });
  if (policy.injection.enabled && direction === 'input' && kind === 'text')
    for (const finding of detectInjection(text, policy.injection.threshold === undefined ? {} : { threshold: policy.injection.threshold }))
      out.push({ finding, action: policy.injection.action });
  if (context.customRules.length > 0) {
    const byId = new Map(context.customRules.map((c) => [c.rule.name, c.rule.action]));
    for (const finding of customDetector(context.customRules, direction)(text, view))
      out.push({ finding, action: CUSTOM_ACTION[byId.get(finding.type) ?? 'flag'] });
  }
  return out.sort((a, b) => a.finding.start - b.finding.start || b.finding.end - a.finding.end);
}

/** How many of its last characters a mask keeps. */
export const MASK_KEEPS = 4;

/** All but the last 4 characters replaced (all of a value of 4 or fewer). */
export function maskValue(value: string): string {
  const keep = value.length > MASK_KEEPS ? MASK_KEEPS : 0;
  return '*'.repeat(value.length - keep) + value.slice(value.length - keep);
}

function placeholderType(finding: Finding): string {
  if (finding.detector === 'pii') return finding.type;
  if (finding.detector === 'secret') return 'SECRET';
  return finding.detector === 'custom' ? 'REDACTED' : 'INJECTION';
}

export function applyGuardrails(text: string, context: ApplyContext): GuardrailOutcome {
  return applyFindings(text, findGuardrailActions(text, context), context);
}

/**
 * How a text with a syntax of its own (JSON) holds values: what [start, end) of it stands for,
 * and how a value is written back into it.
 */
export type ValueCodec = { decode(start: number, end: number): string; encode(value: string): string };

/**
 * Decides and renders findings already made over `text`, for the part [from, to) of it only: the
 * events of the findings that reach into that part (offsets in `text`), a block if one of them
 * blocks, otherwise that part with masks and placeholders in place. A finding that began before
 * `from` (a stream's text already sent) is changed only where it reaches into the part. With a
 * `codec`, values are hashed, numbered and masked as decoded, and a mask is written encoded.
 */
/** A value as its event hashes it: an obfuscated address as the address. */
const asRead = (finding: Finding, value: string): string => (finding.type === 'EMAIL' ? plainEmail(value) : value);

export function applyFindings(
  text: string,
  found: readonly FoundAction[],
  context: ApplyContext,
  from = 0,
  to = text.length,
  codec?: ValueCodec,
): GuardrailOutcome {
  const valueAt = (start: number, end: number): string => (codec ? codec.decode(start, end) : text.slice(start, end));
  const encode = (value: string): string => (codec ? codec.encode(value) : value);
  const inPart = found.filter(({ finding }) => finding.end > from && finding.start < to);
  const events = inPart.map(({ finding, action }) => ({
    detector: finding.detector,
    type: finding.type,
    action,
    start: finding.start,
    end: finding.end,
    // of the value as the detectors read it: a card with no-break spaces hashes as with spaces,
    // "jane [at] acme [dot] com" as jane@acme.com, a base64-encoded key as the key
    valueHash: context.hash(asRead(finding, finding.readAs ?? detectionView(valueAt(finding.start, finding.end)).text)),
  }));
  const blocked = events.find((e) => e.action === 'block');
  if (blocked) return { blocked, events };

  // Overlapping changes merge into one span under the strongest action; the first finding names it.
  const spans: { start: number; end: number; action: 'mask' | 'redact'; finding: Finding }[] = [];
  for (const { finding, action } of inPart) {
    if (action !== 'mask' && action !== 'redact') continue;
    const start = Math.max(finding.start, from);
    const end = Math.min(finding.end, to);
    const last = spans.at(-1);
    if (last && start < last.end) {
      last.end = Math.max(last.end, end);
      last.action = strongerAction(last.action, action) === 'redact' ? 'redact' : 'mask';
    } else spans.push({ start, end, action, finding });
  }
  if (spans.length === 0) return { blocked: undefined, text: text.slice(from, to), changed: false, events };
  let out = '';
  let at = from;
  for (const span of spans) {
    const value = valueAt(span.start, span.end);
    out += text.slice(at, span.start);
    out +=
      span.action === 'mask'
        ? encode(maskValue(value))
        : context.vault.placeholderFor(placeholderType(span.finding), value, {
            // Only PII from the request is ever put back into the answer: a secret, or PII the
            // provider wrote itself, stays redacted.
            reversible: context.policy.pii.reversible && context.direction === 'input' && span.finding.detector === 'pii',
          });
    at = span.end;
  }
  out += text.slice(at, to);
  return { blocked: undefined, text: out, changed: true, events };
}
