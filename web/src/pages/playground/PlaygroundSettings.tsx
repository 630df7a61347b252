/**
 * What the next turn is sent with: the project (whose key, limits and guardrails apply), one of the
 * chat models that project may use, an optional system prompt, temperature and max tokens.
 */
import type { CatalogModel } from '../../api/model-schemas.ts';
import type { Project } from '../../api/schemas.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';

export type SettingsDraft = { projectId: string; model: string; systemPrompt: string; temperature: string; maxTokens: string };

type Props = {
  draft: SettingsDraft;
  onChange: (draft: SettingsDraft) => void;
  projects: readonly Project[];
  models: { data: readonly CatalogModel[] | undefined; isPending: boolean; error: unknown };
  disabled: boolean;
};

export function PlaygroundSettings({ draft, onChange, projects, models, disabled }: Props) {
  const chatModels = (models.data ?? []).filter((m) => m.mode === 'chat' && !m.deprecated);
  const set = (change: Partial<SettingsDraft>) => onChange({ ...draft, ...change });
  return (
    <fieldset className="playground-settings" disabled={disabled}>
      <legend>Settings</legend>
      <div className="playground-field">
        <label htmlFor="playground-project">Project</label>
        <select id="playground-project" value={draft.projectId} onChange={(e) => set({ projectId: e.target.value, model: '' })}>
          {projects.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </div>
      <div className="playground-field">
        <label htmlFor="playground-model">Model</label>
        <select
          id="playground-model"
          value={draft.model}
          onChange={(e) => set({ model: e.target.value })}
          aria-describedby="playground-model-hint"
        >
          <option value="">{chatModels.length === 0 ? 'No model available' : 'Choose a model'}</option>
          {chatModels.map((m) => (
            <option key={m.id} value={m.id}>
              {m.id}
            </option>
          ))}
        </select>
        <p id="playground-model-hint" className="hint">
          The chat models this project may use: providers it has a key for, within the org’s and project’s rules.
        </p>
      </div>
      {models.isPending && draft.projectId !== '' ? <Loading what="models" /> : null}
      <ErrorMessage error={models.error} />
      <div className="playground-field playground-wide">
        <label htmlFor="playground-system">System prompt (optional)</label>
        <textarea
          id="playground-system"
          rows={2}
          maxLength={32000}
          value={draft.systemPrompt}
          onChange={(e) => set({ systemPrompt: e.target.value })}
        />
      </div>
      <div className="playground-field">
        <label htmlFor="playground-temperature">Temperature (optional)</label>
        <input
          id="playground-temperature"
          type="number"
          inputMode="decimal"
          min={0}
          max={2}
          step={0.1}
          value={draft.temperature}
          onChange={(e) => set({ temperature: e.target.value })}
          aria-describedby="playground-temperature-hint"
        />
        <p id="playground-temperature-hint" className="hint">
          0 to 2; empty: the model’s default.
        </p>
      </div>
      <div className="playground-field">
        <label htmlFor="playground-max-tokens">Max tokens (optional)</label>
        <input
          id="playground-max-tokens"
          type="number"
          inputMode="numeric"
          min={1}
          max={8192}
          step={1}
          value={draft.maxTokens}
          onChange={(e) => set({ maxTokens: e.target.value })}
          aria-describedby="playground-max-tokens-hint"
        />
        <p id="playground-max-tokens-hint" className="hint">
          1 to 8192; empty: the model’s default.
        </p>
      </div>
    </fieldset>
  );
}
