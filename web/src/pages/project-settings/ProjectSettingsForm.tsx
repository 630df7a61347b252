/**
 * The project's gateway settings as one form, saved with one PUT of the whole object. The version read
 * goes back as `If-Match`: when someone saved in between, the api refuses (409 `version_conflict`) and
 * the form says so and offers to reload, rather than silently overwriting their change.
 * Remounted (see form-keys.ts) when settings it edits arrive changed, so the working copy starts from
 * them; a limits save only refreshes `current` (the version and limits to send back), edits kept.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client.ts';
import { modelQueryKeys } from '../../api/model-queries.ts';
import { projectQueryKeys, saveProjectSettings } from '../../api/project-queries.ts';
import type { VersionedSettings } from '../../api/project-schemas.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { useSubmission } from '../../lib/submission.ts';
import { AliasesSection } from './AliasesSection.tsx';
import { AllowedModelsSection } from './AllowedModelsSection.tsx';
import { BodyLoggingSection } from './BodyLoggingSection.tsx';
import { CacheSection } from './CacheSection.tsx';
import { CATALOG_LIST_ID } from './ModelPicker.tsx';
import { RoutingSection } from './RoutingSection.tsx';
import { toDraft, toSettings, type SettingsDraft } from './settings-draft.ts';

type Props = {
  orgId: string;
  projectId: string;
  current: VersionedSettings;
  /** Catalog ids offered as suggestions wherever a model is added. */
  catalogIds: readonly string[];
  readOnly: boolean;
  /** Reads the settings again (after a conflict); the form is then rebuilt from them. */
  onReload: () => void;
  onSaved: () => void;
  /** The working copy changed (a "saved" line no longer describes it). */
  onEdit: () => void;
};

const isConflict = (error: unknown) => error instanceof ApiError && error.status === 409 && error.code === 'version_conflict';

export function ProjectSettingsForm({ orgId, projectId, current, catalogIds, readOnly, onReload, onSaved, onEdit }: Props) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<SettingsDraft>(() => toDraft(current.settings));
  const { error, busy, run, refuse } = useSubmission();
  const update = (patch: Partial<SettingsDraft>) => {
    setDraft((previous) => ({ ...previous, ...patch }));
    onEdit();
  };
  const sectionProps = { draft, update, readOnly };

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (readOnly) return;
    const settings = toSettings(draft, current.settings);
    if (settings instanceof Error) return refuse(settings);
    run(async () => {
      const saved = await saveProjectSettings(orgId, projectId, settings, current.version);
      queryClient.setQueryData(projectQueryKeys.settings(orgId, projectId), saved);
      // The project's usable models follow its allow-list.
      await queryClient.invalidateQueries({ queryKey: modelQueryKeys.all(orgId) });
      onSaved();
    });
  }

  return (
    <form className="settings-form" onSubmit={onSubmit} noValidate aria-label="Project settings">
      <datalist id={CATALOG_LIST_ID}>
        {catalogIds.map((id) => (
          <option key={id} value={id} />
        ))}
      </datalist>
      <CacheSection {...sectionProps} />
      <BodyLoggingSection {...sectionProps} />
      <AllowedModelsSection {...sectionProps} />
      <AliasesSection {...sectionProps} />
      <RoutingSection {...sectionProps} />
      <p className="hint">
        Usage and rate limits are saved separately, below; saving these settings sends the limits back as they were read.
      </p>
      {isConflict(error) ? (
        <div className="warning" role="alert">
          <p>
            Someone changed these settings since you opened them, so yours were not saved (nothing was overwritten). Reload to see the
            current settings, then make your change again.
          </p>
          <button type="button" className="secondary" onClick={onReload}>
            Reload settings
          </button>
        </div>
      ) : (
        <ErrorMessage error={error} />
      )}
      {readOnly ? null : (
        <div className="settings-actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Save settings'}
          </button>
          <button type="button" className="secondary" onClick={() => update(toDraft(current.settings))} disabled={busy}>
            Undo changes
          </button>
        </div>
      )}
    </form>
  );
}
