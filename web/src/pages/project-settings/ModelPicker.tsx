/**
 * A text field to add a model: suggestions from the catalog (a shared <datalist>), or any text the
 * gateway accepts (`provider/model`, a bare model name, an alias). Enter adds instead of submitting
 * the whole settings form.
 */
import { useState, type KeyboardEvent } from 'react';

/** The id of the <datalist> of catalog model ids, rendered once by the form. */
export const CATALOG_LIST_ID = 'catalog-model-ids';
const MAX_TARGET_LENGTH = 200;

type Props = {
  id: string;
  label: string;
  /** Completes the Add button's accessible name ("Add" + " to allowed models"), as the page has several. */
  addTo: string;
  /** Already in the list: adding one again is refused in words. */
  existing: readonly string[];
  onAdd: (model: string) => void;
  /** Why nothing more can be added (a full chain), or null. */
  full?: string | null;
};

export function ModelPicker({ id, label, addTo, existing, onAdd, full = null }: Props) {
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  function add() {
    const model = text.trim();
    if (model === '') return setProblem('Type or pick a model first.');
    if (model.length > MAX_TARGET_LENGTH) return setProblem(`A model name has at most ${MAX_TARGET_LENGTH} characters.`);
    if (existing.includes(model)) return setProblem(`${model} is already in the list.`);
    if (full !== null) return setProblem(full);
    onAdd(model);
    setText('');
    setProblem(null);
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    add();
  }

  return (
    <div>
      <label htmlFor={id}>{label}</label>
      <div className="field-row">
        <input
          id={id}
          list={CATALOG_LIST_ID}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
          placeholder="provider/model"
          autoComplete="off"
          spellCheck={false}
          aria-describedby={problem === null ? undefined : `${id}-problem`}
        />
        <button type="button" className="secondary" onClick={add}>
          Add<span className="visually-hidden"> {addTo}</span>
        </button>
      </div>
      {problem === null ? null : (
        <p id={`${id}-problem`} className="error" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}
