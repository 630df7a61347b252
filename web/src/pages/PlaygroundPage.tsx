/**
 * The playground: chat with a model a project may use, through the gateway (the api mints a
 * two-minute key of the project for each answer and revokes it afterwards), streamed as it comes,
 * with provider, tokens, cost, latency and any guardrail action under each answer. Developers and
 * up; nothing of the conversation is stored anywhere but this page's memory.
 */
import { useState } from 'react';
import { useParams } from 'react-router';
import { useModels } from '../api/model-queries.ts';
import { useProjects } from '../api/queries.ts';
import type { Project } from '../api/schemas.ts';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { Loading } from '../components/Loading.tsx';
import { roleAtLeast, useOrgRole } from '../lib/org-role.ts';
import { Composer } from './playground/Composer.tsx';
import { PlaygroundSettings, type SettingsDraft } from './playground/PlaygroundSettings.tsx';
import { TurnView } from './playground/TurnView.tsx';
import { summaryLine } from './playground/chat-format.ts';
import { usePlaygroundChat, type ChatSettings, type Turn } from './playground/use-playground-chat.ts';

/** What a screen reader hears once an answer is over (not every token: the answer itself is not live). */
function completionMessage(turn: Turn | undefined): string {
  if (turn === undefined) return '';
  if (turn.status === 'streaming') return 'Answering…';
  if (turn.status === 'stopped') return 'Answer stopped.';
  if (turn.guardrails.some((g) => g.action === 'block')) return 'A guardrail blocked this request.';
  if (turn.status === 'failed') return `The request failed: ${turn.error?.message ?? ''}`;
  return turn.summary ? `Answer complete. ${summaryLine(turn.summary)}.` : 'Answer complete.';
}

/** The draft's numbers, or the reason they cannot be sent. */
function settingsOf(draft: SettingsDraft, projectId: string): ChatSettings | string {
  const temperature = draft.temperature.trim() === '' ? undefined : Number(draft.temperature);
  if (temperature !== undefined && !(temperature >= 0 && temperature <= 2)) return 'Temperature must be a number from 0 to 2.';
  const maxTokens = draft.maxTokens.trim() === '' ? undefined : Number(draft.maxTokens);
  if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && maxTokens >= 1 && maxTokens <= 8192))
    return 'Max tokens must be a whole number from 1 to 8192.';
  return { projectId, model: draft.model, systemPrompt: draft.systemPrompt, temperature, maxTokens };
}

function Workspace({ orgId, projects }: { orgId: string; projects: readonly Project[] }) {
  const [draft, setDraft] = useState<SettingsDraft>({ projectId: '', model: '', systemPrompt: '', temperature: '', maxTokens: '' });
  const [problem, setProblem] = useState<string | null>(null);
  const projectId = draft.projectId || projects[0]!.id;
  const models = useModels(orgId, projectId);
  const chat = usePlaygroundChat(orgId);
  const last = chat.turns.at(-1);

  function send(prompt: string) {
    const settings = settingsOf(draft, projectId);
    if (typeof settings === 'string') return setProblem(settings);
    setProblem(null);
    void chat.send(prompt, settings);
  }

  return (
    <>
      <PlaygroundSettings
        draft={{ ...draft, projectId }}
        onChange={setDraft}
        projects={projects}
        models={models}
        disabled={chat.streaming}
      />
      <section className="playground-conversation" aria-labelledby="playground-conversation-title">
        <div className="page-title">
          <h2 id="playground-conversation-title">Conversation</h2>
          {chat.turns.length > 0 ? (
            <button type="button" className="secondary small" onClick={chat.clear} disabled={chat.streaming}>
              New conversation
            </button>
          ) : null}
        </div>
        {chat.turns.length === 0 ? <p className="muted">Nothing sent yet. Earlier turns are sent again with each new message.</p> : null}
        <ol className="playground-turns">
          {chat.turns.map((turn) => (
            <TurnView key={turn.id} turn={turn} orgId={orgId} />
          ))}
        </ol>
        <p className="visually-hidden" role="status" aria-live="polite">
          {completionMessage(last)}
        </p>
      </section>
      {problem ? (
        <p className="error" role="alert">
          {problem}
        </p>
      ) : null}
      <Composer
        canSend={draft.model !== ''}
        streaming={chat.streaming}
        onSend={send}
        onStop={chat.stop}
        hint={
          draft.model === ''
            ? 'Choose a model first. Enter sends, Shift+Enter starts a new line.'
            : 'Enter sends, Shift+Enter starts a new line.'
        }
      />
    </>
  );
}

export function PlaygroundPage() {
  const { orgId = '' } = useParams();
  const role = useOrgRole(orgId);
  const projects = useProjects(orgId);
  return (
    <section aria-labelledby="page-title" className="playground">
      <h1 id="page-title">Playground</h1>
      <p className="muted">
        Chat with a model through the gateway, as a project’s application would: its provider keys, limits and guardrails apply, and each
        answer is billed and logged. The api uses a two-minute key of the project for each answer and revokes it afterwards.
      </p>
      {role !== '' && !roleAtLeast(role, 'developer') ? (
        <p className="notice">The playground is for developers, admins and owners of the organization; your role is {role}.</p>
      ) : projects.isPending ? (
        <Loading what="projects" />
      ) : projects.error ? (
        <ErrorMessage error={projects.error} />
      ) : projects.data.length === 0 ? (
        <p>This organization has no project yet, so there is nothing to chat through.</p>
      ) : (
        <Workspace orgId={orgId} projects={projects.data} />
      )}
    </section>
  );
}
