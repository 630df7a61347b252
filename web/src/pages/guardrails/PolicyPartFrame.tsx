/**
 * One part of a policy (a detector, or the custom rules) as a titled group of fields. On a project, a checkbox
 * chooses between the org's values (shown, not editable) and the project's own.
 */
import { useId, type ReactNode } from 'react';

export type OverrideSwitch = { on: boolean; onToggle: (on: boolean) => void };

type Props = {
  title: string;
  description: ReactNode;
  /** False for a reader without guardrails:write, or a part the project takes from the org. */
  editable: boolean;
  /** Only on a project that overrides the org's policy. */
  override?: OverrideSwitch;
  /** A reader may not change whether the part is overridden either. */
  mayWrite: boolean;
  /** A list that hides its own edit buttons and keeps its filter and paging usable for readers. */
  keepsControls?: boolean;
  children: ReactNode;
};

export function PolicyPartFrame({ title, description, editable, override, mayWrite, keepsControls = false, children }: Props) {
  const id = useId();
  return (
    <section className="policy-part" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      <p className="hint">{description}</p>
      {override === undefined ? null : (
        <div className="checkbox-field override-switch">
          <input
            id={`${id}-override`}
            type="checkbox"
            checked={override.on}
            disabled={!mayWrite}
            onChange={(e) => override.onToggle(e.target.checked)}
          />
          <label htmlFor={`${id}-override`}>Override the organization&apos;s {title.toLowerCase()} for this project</label>
        </div>
      )}
      <fieldset disabled={!editable && !keepsControls} className="policy-fields">
        <legend className="visually-hidden">{title} settings</legend>
        {children}
      </fieldset>
    </section>
  );
}
