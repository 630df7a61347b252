/**
 * Allowed models of a key: free text, one `provider/model` (or alias) a line, with the catalog offered
 * as a picker that appends to the list. Empty means any model the project allows.
 */
import { useState } from 'react';
import { useModels } from '../../api/model-queries.ts';

type Props = { orgId: string; projectId: string; value: string; onChange: (value: string) => void };

export function ModelListField({ orgId, projectId, value, onChange }: Props) {
  const models = useModels(orgId, projectId);
  const [picked, setPicked] = useState('');
  const present = new Set(value.split('\n').map((line) => line.trim()));
  function add() {
    if (picked === '' || present.has(picked)) return;
    onChange(value.trim() === '' ? picked : `${value.replace(/\n+$/, '')}\n${picked}`);
    setPicked('');
  }
  return (
    <>
      <label htmlFor="edit-key-models">Allowed models (one a line)</label>
      <textarea
        id="edit-key-models"
        rows={3}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        spellCheck={false}
        aria-describedby="edit-key-models-hint"
        placeholder="openai/gpt-4o-mini"
      />
      <p id="edit-key-models-hint" className="hint">
        <code>provider/model</code>, a bare model name or a project alias. Leave empty for any model the project allows.
      </p>
      {models.data && models.data.length > 0 ? (
        <div className="key-model-picker">
          <div>
            <label htmlFor="edit-key-model-pick">Add from the catalog</label>
            <select id="edit-key-model-pick" value={picked} onChange={(e) => setPicked(e.target.value)}>
              <option value="">Choose a model…</option>
              {models.data.map((model) => (
                <option key={model.id} value={model.id} disabled={present.has(model.id)}>
                  {model.id}
                </option>
              ))}
            </select>
          </div>
          <button type="button" className="secondary small" onClick={add} disabled={picked === ''}>
            Add model
          </button>
        </div>
      ) : null}
    </>
  );
}
