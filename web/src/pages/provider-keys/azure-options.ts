/**
 * Azure OpenAI options of a provider key as the dialogs edit them: an API version and a deployments
 * map (deployment name -> catalog model id). Only azure-openai takes options (the api refuses any for
 * the other providers), so this is the only provider with option fields. Empty fields mean "not set":
 * the gateway's default API version, and deployments named after their models.
 */
export const AZURE_PROVIDER = 'azure-openai';

export type DeploymentRow = { key: number; name: string; model: string };
export type AzureOptionsDraft = { apiVersion: string; deployments: DeploymentRow[] };

let nextRowKey = 0;
/** A stable React key per row: rows are removed from the middle, so the index would not do. */
export const newDeploymentRow = (name = '', model = ''): DeploymentRow => ({ key: nextRowKey++, name, model });

/** The draft of stored options; anything not understood is left out (the api accepts only these two). */
export function draftFromOptions(options: Readonly<Record<string, unknown>> | undefined): AzureOptionsDraft {
  const version = options?.apiVersion;
  const map = options?.deployments;
  const deployments =
    typeof map === 'object' && map !== null && !Array.isArray(map)
      ? Object.entries(map).flatMap(([name, model]) => (typeof model === 'string' ? [newDeploymentRow(name, model)] : []))
      : [];
  return {
    apiVersion: typeof version === 'string' || typeof version === 'number' ? String(version) : '',
    deployments: deployments.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
}

/**
 * The options to send, or the reason they cannot be sent. Blank rows are dropped; a half-filled row
 * or a name used twice is refused here, since a JSON map would silently keep only one of the two.
 * Names and models themselves are checked by the api, whose message the dialog shows.
 */
export function optionsFromDraft(draft: AzureOptionsDraft): Record<string, unknown> | Error {
  const rows = draft.deployments.map((row) => ({ name: row.name.trim(), model: row.model.trim() })).filter((r) => r.name || r.model);
  if (rows.some((r) => r.name === '' || r.model === ''))
    return new Error('Give each deployment both a name and a model, or remove the row.');
  const names = rows.map((r) => r.name);
  const twice = names.find((name, index) => names.indexOf(name) !== index);
  if (twice !== undefined) return new Error(`The deployment “${twice}” is listed twice.`);
  const apiVersion = draft.apiVersion.trim();
  return {
    ...(apiVersion === '' ? {} : { apiVersion }),
    ...(rows.length === 0 ? {} : { deployments: Object.fromEntries(rows.map((r) => [r.name, r.model])) }),
  };
}
