/**
 * The Azure OpenAI options of a provider key: the API version and the deployments (name -> catalog
 * model). A deployment's model is a text field with the catalog's azure-openai and openai models as
 * suggestions: the api accepts either provider's ids (Azure's part of the catalog lags OpenAI's), and
 * it checks the id and answers in words, which the dialog shows.
 */
import { useModels } from '../../api/model-queries.ts';
import { newDeploymentRow, type AzureOptionsDraft, type DeploymentRow } from './azure-options.ts';

type Props = { orgId: string; idPrefix: string; value: AzureOptionsDraft; onChange: (next: AzureOptionsDraft) => void };

export function AzureOptionsFields({ orgId, idPrefix, value, onChange }: Props) {
  const catalog = useModels(orgId);
  const suggestions = [
    ...new Set((catalog.data ?? []).filter((m) => m.provider === 'azure-openai' || m.provider === 'openai').map((m) => m.model)),
  ];
  const listId = `${idPrefix}-deployment-models`;
  const setRows = (deployments: DeploymentRow[]) => onChange({ ...value, deployments });
  const editRow = (key: number, change: Partial<DeploymentRow>) =>
    setRows(value.deployments.map((row) => (row.key === key ? { ...row, ...change } : row)));

  return (
    <>
      <label htmlFor={`${idPrefix}-api-version`}>API version (optional)</label>
      <input
        id={`${idPrefix}-api-version`}
        value={value.apiVersion}
        onChange={(e) => onChange({ ...value, apiVersion: e.target.value })}
        maxLength={100}
        spellCheck={false}
        placeholder="2024-10-21"
        aria-describedby={`${idPrefix}-api-version-hint`}
      />
      <p id={`${idPrefix}-api-version-hint`} className="hint">
        Like <code>2024-10-21</code>, <code>2025-04-01-preview</code> or <code>v1</code>. Empty: the gateway’s default.
      </p>
      <fieldset className="choice-group deployments">
        <legend>Deployments (optional)</legend>
        <datalist id={listId}>
          {suggestions.map((model) => (
            <option key={model} value={model} />
          ))}
        </datalist>
        {value.deployments.length === 0 ? <p className="muted">No deployment declared.</p> : null}
        <ul className="deployment-rows" aria-label="Deployments">
          {value.deployments.map((row, index) => (
            <li key={row.key}>
              <div>
                <label htmlFor={`${idPrefix}-deployment-name-${row.key}`}>Deployment {index + 1} name</label>
                <input
                  id={`${idPrefix}-deployment-name-${row.key}`}
                  value={row.name}
                  onChange={(e) => editRow(row.key, { name: e.target.value })}
                  maxLength={64}
                  spellCheck={false}
                  placeholder="prod-gpt"
                />
              </div>
              <div>
                <label htmlFor={`${idPrefix}-deployment-model-${row.key}`}>Deployment {index + 1} model</label>
                <input
                  id={`${idPrefix}-deployment-model-${row.key}`}
                  value={row.model}
                  onChange={(e) => editRow(row.key, { model: e.target.value })}
                  list={listId}
                  maxLength={200}
                  spellCheck={false}
                  placeholder="gpt-5.4-mini"
                />
              </div>
              <button
                type="button"
                className="danger small"
                onClick={() => setRows(value.deployments.filter((other) => other.key !== row.key))}
                aria-label={`Remove deployment ${index + 1}${row.name.trim() === '' ? '' : ` (${row.name.trim()})`}`}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
        <button type="button" className="secondary small" onClick={() => setRows([...value.deployments, newDeploymentRow()])}>
          Add deployment
        </button>
        <p className="hint">
          The model each deployment runs, from the catalog: requests for that model reach its deployments, and are priced as it. Empty: each
          deployment is assumed to be named after its model.
        </p>
      </fieldset>
    </>
  );
}
