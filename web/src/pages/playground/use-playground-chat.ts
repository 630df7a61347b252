/**
 * The playground's conversation: turns in component state only (never the query cache, storage or
 * the URL: prompts can hold anything), the streaming of one turn at a time, and Stop.
 * Each new turn sends the earlier answered turns again, so the model sees the conversation.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiError, errorMessage, isUnauthorized } from '../../api/client.ts';
import type { ChatMessage, ChatSummary, GuardrailFinding, PlaygroundEvent } from '../../api/playground-schemas.ts';
import { streamPlaygroundChat } from '../../api/playground-stream.ts';

export type TurnStatus = 'streaming' | 'done' | 'stopped' | 'failed';

export type Turn = {
  id: number;
  prompt: string;
  answer: string;
  status: TurnStatus;
  /** How many pieces of text arrived (the answer grows as they do). */
  deltas: number;
  guardrails: GuardrailFinding[];
  summary?: ChatSummary;
  error?: { message: string; code: string };
  requestId?: string;
};

export type ChatSettings = { projectId: string; model: string; systemPrompt: string; temperature?: number; maxTokens?: number };

/** Earlier turns that got an answer, as messages; failed or stopped ones are left out. */
function history(turns: readonly Turn[]): ChatMessage[] {
  return turns.flatMap((t): ChatMessage[] =>
    t.status === 'done' && t.answer !== ''
      ? [
          { role: 'user', content: t.prompt },
          { role: 'assistant', content: t.answer },
        ]
      : [],
  );
}

function applyEvent(turn: Turn, event: PlaygroundEvent): Turn {
  switch (event.type) {
    case 'start':
      return { ...turn, requestId: event.requestId };
    case 'delta':
      return { ...turn, answer: turn.answer + event.text, deltas: turn.deltas + 1 };
    case 'guardrail': {
      const { type: _type, ...finding } = event;
      return { ...turn, guardrails: [...turn.guardrails, finding] };
    }
    case 'error':
      return { ...turn, status: 'failed', error: { message: event.message, code: event.code } };
    case 'done': {
      const { type: _type, ...summary } = event;
      return { ...turn, status: 'done', summary, requestId: event.requestId };
    }
  }
}

export function usePlaygroundChat(orgId: string) {
  const [turns, setTurns] = useState<Turn[]>([]);
  const controller = useRef<AbortController | null>(null);
  const nextId = useRef(1);
  const navigate = useNavigate();
  const streaming = turns.some((t) => t.status === 'streaming');

  // Leaving the page stops the answer (the api then revokes its key at once).
  useEffect(() => () => controller.current?.abort(), []);

  const update = (id: number, change: (turn: Turn) => Turn) => setTurns((all) => all.map((t) => (t.id === id ? change(t) : t)));

  const send = useCallback(
    async (prompt: string, settings: ChatSettings) => {
      const id = nextId.current++;
      const messages: ChatMessage[] = [
        ...(settings.systemPrompt.trim() === '' ? [] : [{ role: 'system' as const, content: settings.systemPrompt }]),
        ...history(turns),
        { role: 'user', content: prompt },
      ];
      setTurns((all) => [...all, { id, prompt, answer: '', status: 'streaming', deltas: 0, guardrails: [] }]);
      const abort = new AbortController();
      controller.current = abort;
      try {
        await streamPlaygroundChat(
          orgId,
          settings.projectId,
          {
            model: settings.model,
            messages,
            ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }),
            ...(settings.maxTokens === undefined ? {} : { max_tokens: settings.maxTokens }),
          },
          (event) => update(id, (turn) => applyEvent(turn, event)),
          abort.signal,
        );
        // A stream that ended without `done` or `error` was cut somewhere between here and the api.
        update(id, (turn) =>
          turn.status === 'streaming'
            ? { ...turn, status: 'failed', error: { message: 'The answer broke off before it ended. Try again.', code: 'stream_cut' } }
            : turn,
        );
      } catch (error) {
        if (abort.signal.aborted) {
          update(id, (turn) => ({ ...turn, status: 'stopped' }));
          return;
        }
        if (isUnauthorized(error)) void navigate('/login', { state: { from: window.location.pathname } });
        update(id, (turn) => ({
          ...turn,
          status: 'failed',
          error: { message: errorMessage(error), code: error instanceof ApiError ? error.code : '' },
        }));
      } finally {
        if (controller.current === abort) controller.current = null;
      }
    },
    [navigate, orgId, turns],
  );

  const stop = useCallback(() => controller.current?.abort(), []);
  const clear = useCallback(() => {
    controller.current?.abort();
    setTurns([]);
  }, []);

  return { turns, streaming, send, stop, clear };
}
