/** What the gateway and the guardrail scan workers say to each other (structured-cloned). */
import type { Direction, FoundAction, TextKind } from '../../guardrails/engine/apply.js';
import type { GuardrailPolicy } from '../../guardrails/engine/policy.js';

export type ScanRequest = { id: number; text: string; policy: GuardrailPolicy; direction: Direction; kind: TextKind };

export type ScanReply = { id: number; found: FoundAction[]; error?: undefined } | { id: number; found?: undefined; error: string };
