/**
 * `portcullis guardrails scan [--policy FILE]`: JSON Lines `{"id","text"}` on stdin, one line
 * `{"id","findings":[{detector,type,start,end}]}` per input on stdout, in input order — the
 * protocol of the evaluation harness (shared/eval/score.mjs). Needs no configuration, database or
 * network: the detectors are pure functions.
 *
 * `--policy FILE` (JSON) chooses the detectors and adds custom rules; a rule RE2 cannot run is
 * refused before any input is read, naming the rule. `--tool-definitions`: each text is a tool's
 * description (an MCP server's tool list, say), read for tool poisoning instead of by the
 * prompt-injection model, as the gateway reads the tools of a request.
 *
 * A line that is not valid input is answered with an `error` (and no findings) rather than ending
 * the run, so one bad record cannot hide the results of the others; the exit code is then 1.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { CliError } from '../cli/cli-error.js';
import { customDetector } from './custom/detect.js';
import { compileRule, customRuleSchema, CustomRuleError } from './custom/rules.js';
import { ALL_BUILT_IN, scanText, type ScanOptions } from './scan.js';
import { DETECTORS } from './types.js';

const inputLine = z.object({ id: z.union([z.string(), z.number()]), text: z.string() });

const policyFile = z
  .object({
    /** Which detectors run; all built-in ones (plus `custom` when rules are given) when absent. */
    detectors: z.array(z.enum(DETECTORS)).optional(),
    /** Custom rules (custom/rules.ts), applied to the text as input. */
    customRules: z.array(customRuleSchema).max(200).optional(),
  })
  .strict();

function loadPolicy(path: string | undefined): ScanOptions {
  if (path === undefined) return { detectors: ALL_BUILT_IN };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CliError(`cannot read the policy file ${path}: ${(error as Error).message}`);
  }
  const parsed = policyFile.safeParse(raw);
  if (!parsed.success)
    throw new CliError(
      `the policy file ${path} is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const rules = parsed.data.customRules ?? [];
  let compiled;
  try {
    compiled = rules.map(compileRule);
  } catch (error) {
    if (error instanceof CustomRuleError) throw new CliError(`the policy file ${path}: custom rule ${error.ruleName}: ${error.message}`);
    throw error;
  }
  const defaults = rules.length > 0 ? new Set([...ALL_BUILT_IN, 'custom' as const]) : ALL_BUILT_IN;
  return { detectors: parsed.data.detectors ? new Set(parsed.data.detectors) : defaults, custom: customDetector(compiled, 'input') };
}

export async function guardrailsScanCommand(options: { policy?: string; toolDefinitions?: boolean }): Promise<number> {
  const policy: ScanOptions = { ...loadPolicy(options.policy), kind: options.toolDefinitions ? 'toolDefinition' : 'text' };
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let failed = false;
  // The reader went away (`… | head -3`): stop quietly, as Unix tools do, not with a stack trace.
  let readerGone = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    readerGone = true;
    process.stdout.emit('drain');
  });
  for await (const line of lines) {
    if (readerGone) break;
    if (line.trim() === '') continue;
    let parsed: z.infer<typeof inputLine> | undefined;
    try {
      const result = inputLine.safeParse(JSON.parse(line));
      if (result.success) parsed = result.data;
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined) {
      failed = true;
      process.stdout.write(`${JSON.stringify({ error: 'expected a JSON object with "id" and a string "text"', findings: [] })}\n`);
      continue;
    }
    const findings = scanText(parsed.text, policy).map(({ detector, type, start, end }) => ({ detector, type, start, end }));
    if (!process.stdout.write(`${JSON.stringify({ id: parsed.id, findings })}\n`))
      await new Promise((resolve) => process.stdout.once('drain', resolve));
  }
  return failed ? 1 : 0;
}
