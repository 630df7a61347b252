/**
 * The guardrail scan pool's worker (scan-pool.ts): finds what a policy's detectors and custom rules
 * report over one text and sends back the findings with their actions. Rendering (masks,
 * placeholders, value hashes) stays on the gateway's thread, where the request's vault is.
 */
import { parentPort } from 'node:worker_threads';
import { compileRule, type CompiledRule } from '../../guardrails/custom/rules.js';
import { findGuardrailActions } from '../../guardrails/engine/apply.js';
import type { ScanReply, ScanRequest } from './scan-messages.js';

/** Compiled custom rules by their JSON: orgs reuse theirs on every request, so compile each set once. */
const compiledRules = new Map<string, readonly CompiledRule[]>();
const MAX_RULE_SETS = 64;

function rulesOf(request: ScanRequest): readonly CompiledRule[] {
  const key = JSON.stringify(request.policy.customRules);
  let rules = compiledRules.get(key);
  if (rules === undefined) {
    rules = request.policy.customRules.map(compileRule);
    if (compiledRules.size >= MAX_RULE_SETS) compiledRules.delete(compiledRules.keys().next().value!);
    compiledRules.set(key, rules);
  }
  return rules;
}

parentPort?.on('message', (request: ScanRequest) => {
  let reply: ScanReply;
  try {
    const found = findGuardrailActions(
      request.text,
      { policy: request.policy, direction: request.direction, customRules: rulesOf(request) },
      request.kind,
    );
    reply = { id: request.id, found };
  } catch (error) {
    // The name only: a message could quote the text.
    reply = { id: request.id, error: error instanceof Error ? error.name : 'Error' };
  }
  parentPort!.postMessage(reply);
});
