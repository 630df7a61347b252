/**
 * Project aliases: a name applications send as `model`, routed to an ordered fallback chain (the first
 * target is tried first; the next ones when it fails). Each alias can be renamed, reordered, removed.
 */
import { useState, type KeyboardEvent } from 'react';
import type { SectionProps } from './draft-props.ts';
import { ModelPicker } from './ModelPicker.tsx';
import { MAX_TARGETS_PER_ALIAS, type AliasDraft } from './settings-draft.ts';
import { TargetList } from './TargetList.tsx';

const MAX_ALIAS_NAME = 100;

export function AliasesSection({ draft, update, readOnly }: SectionProps) {
  const [newName, setNewName] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const replace = (key: number, patch: Partial<AliasDraft>) =>
    update({ aliases: draft.aliases.map((alias) => (alias.key === key ? { ...alias, ...patch } : alias)) });

  function addAlias() {
    const name = newName.trim();
    if (name === '') return setProblem('Type a name for the alias first.');
    if (name.length > MAX_ALIAS_NAME) return setProblem(`An alias name has at most ${MAX_ALIAS_NAME} characters.`);
    if (draft.aliases.some((alias) => alias.name.trim() === name)) return setProblem(`There is already an alias named “${name}”.`);
    const key = Math.max(-1, ...draft.aliases.map((alias) => alias.key)) + 1;
    update({ aliases: [...draft.aliases, { key, name, targets: [] }] });
    setNewName('');
    setProblem(null);
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    addAlias();
  }

  return (
    <fieldset disabled={readOnly}>
      <legend>Aliases and fallbacks</legend>
      <p className="hint">
        An application sends the alias as its model; the gateway tries its models in order, moving to the next when one fails after its
        retries. Up to {MAX_TARGETS_PER_ALIAS} models per alias.
      </p>
      {draft.aliases.length === 0 ? <p className="muted">No alias yet.</p> : null}
      {draft.aliases.map((alias) => {
        const title = alias.name.trim() === '' ? 'an unnamed alias' : alias.name.trim();
        return (
          <section key={alias.key} className="alias" aria-label={`Alias ${title}`}>
            <h3>
              <span>Alias {title}</span>
              {readOnly ? null : (
                <button
                  type="button"
                  className="danger small"
                  onClick={() => update({ aliases: draft.aliases.filter((other) => other.key !== alias.key) })}
                  aria-label={`Remove alias ${title}`}
                >
                  Remove alias
                </button>
              )}
            </h3>
            <label htmlFor={`alias-name-${alias.key}`}>Name</label>
            <input
              id={`alias-name-${alias.key}`}
              value={alias.name}
              maxLength={MAX_ALIAS_NAME}
              onChange={(e) => replace(alias.key, { name: e.target.value })}
              autoComplete="off"
              spellCheck={false}
            />
            <TargetList
              label={`Fallbacks of ${title}`}
              items={alias.targets}
              onChange={(targets) => replace(alias.key, { targets })}
              ordered
              readOnly={readOnly}
              emptyText="No model yet: add at least one."
            />
            {readOnly ? null : (
              <ModelPicker
                id={`alias-target-${alias.key}`}
                label={`Add a model to ${title}`}
                addTo={`to ${title}`}
                existing={alias.targets}
                full={alias.targets.length >= MAX_TARGETS_PER_ALIAS ? `An alias routes to at most ${MAX_TARGETS_PER_ALIAS} models.` : null}
                onAdd={(model) => replace(alias.key, { targets: [...alias.targets, model] })}
              />
            )}
          </section>
        );
      })}
      {readOnly ? null : (
        <div>
          <label htmlFor="alias-new-name">New alias name</label>
          <div className="field-row">
            <input
              id="alias-new-name"
              value={newName}
              maxLength={MAX_ALIAS_NAME}
              onChange={(e) => setNewName(e.target.value)}
              onKeyDown={onKeyDown}
              placeholder="e.g. fast"
              autoComplete="off"
              spellCheck={false}
              aria-describedby={problem === null ? undefined : 'alias-new-problem'}
            />
            <button type="button" className="secondary" onClick={addAlias}>
              Add alias
            </button>
          </div>
          {problem === null ? null : (
            <p id="alias-new-problem" className="error" role="alert">
              {problem}
            </p>
          )}
        </div>
      )}
    </fieldset>
  );
}
