/**
 * "Try it": the text and direction typed in, and the api's verdict on them under the draft policy, asked again
 * (debounced) whenever the text, the direction or the draft changes. The verdict lives in this state only, never
 * in the query cache or storage: the text may be the very secret being tested.
 */
import { useEffect, useState } from 'react';
import { tryGuardrails, type TryRequest } from '../../api/guardrail-policy-queries.ts';
import type { TryResult } from '../../api/guardrail-policy-schemas.ts';

const DEBOUNCE_MS = 400;

export type Direction = 'input' | 'output';

export type GuardrailTrial = {
  text: string;
  setText: (text: string) => void;
  direction: Direction;
  setDirection: (direction: Direction) => void;
  result: TryResult | null;
  error: unknown;
  pending: boolean;
};

export function useGuardrailTrial(orgId: string, target: TryRequest): GuardrailTrial {
  const [text, setText] = useState('');
  const [direction, setDirection] = useState<Direction>('input');
  const [verdict, setVerdict] = useState<{ result: TryResult | null; error: unknown }>({ result: null, error: undefined });
  const [pending, setPending] = useState(false);
  // The draft as a string: a new object with the same rules must not ask again.
  const targetKey = JSON.stringify(target);

  useEffect(() => {
    if (text.trim() === '') {
      setVerdict({ result: null, error: undefined });
      setPending(false);
      return;
    }
    const controller = new AbortController();
    setPending(true);
    const timer = setTimeout(() => {
      tryGuardrails(orgId, JSON.parse(targetKey) as TryRequest, text, direction, controller.signal)
        .then((result) => setVerdict({ result, error: undefined }))
        .catch((error: unknown) => {
          if (!controller.signal.aborted) setVerdict({ result: null, error });
        })
        .finally(() => {
          if (!controller.signal.aborted) setPending(false);
        });
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [orgId, targetKey, text, direction]);

  return { text, setText, direction, setDirection, ...verdict, pending };
}
