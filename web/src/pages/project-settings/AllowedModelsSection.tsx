/**
 * Which models the project may request: every model it has a provider key for, or only a list.
 * Alias names count as models here: an alias must be on the list to be usable.
 */
import type { SectionProps } from './draft-props.ts';
import { ModelPicker } from './ModelPicker.tsx';
import { TargetList } from './TargetList.tsx';

export function AllowedModelsSection({ draft, update, readOnly }: SectionProps) {
  return (
    <fieldset disabled={readOnly}>
      <legend>Allowed models</legend>
      <label className="checkbox" htmlFor="restrict-models">
        <input
          id="restrict-models"
          type="checkbox"
          checked={draft.restrictModels}
          onChange={(e) => update({ restrictModels: e.target.checked })}
          aria-describedby="restrict-models-hint"
        />
        Only allow the models listed below
      </label>
      <p id="restrict-models-hint" className="hint">
        Off: every model of the providers the project has a key for (within the organization’s provider policy). On: only these, as{' '}
        <code>provider/model</code>, a bare model name, or an alias name (an alias must be listed to be usable). An empty list allows
        nothing.
      </p>
      {draft.restrictModels ? (
        <>
          <TargetList
            label="Allowed models"
            items={draft.allowedModels}
            onChange={(allowedModels) => update({ allowedModels })}
            readOnly={readOnly}
            emptyText="No model is listed: the project can call none."
          />
          {readOnly ? null : (
            <ModelPicker
              id="allowed-model-new"
              label="Add an allowed model"
              addTo="to the allowed models"
              existing={draft.allowedModels}
              onAdd={(model) => update({ allowedModels: [...draft.allowedModels, model] })}
            />
          )}
        </>
      ) : null}
    </fieldset>
  );
}
