/** One catalog model as a table row (a card on phones): sizes as numbers, prices in USD per million tokens. */
import type { CatalogModel } from '../../api/model-schemas.ts';
import { formatNumber, formatUsd } from '../../lib/format.ts';

export function ModelRow({ model }: { model: CatalogModel }) {
  const { pricing } = model;
  return (
    <tr data-model-id={model.id}>
      <td data-label="Model" className="model-id">
        {/* A line break allowed after the provider keeps the column narrow without splitting names mid-word. */}
        <code>
          {model.id.slice(0, model.id.indexOf('/') + 1)}
          <wbr />
          {model.id.slice(model.id.indexOf('/') + 1)}
        </code>
        {model.deprecated ? <span className="cell-hint">Deprecated</span> : null}
      </td>
      <td data-label="Provider">{model.provider}</td>
      <td data-label="Mode">{model.mode}</td>
      <td data-label="Context window" className="number">
        {formatNumber(model.contextWindow)}
      </td>
      <td data-label="Max output" className="number">
        {/* Embedding models produce no tokens: the catalog says 0. */}
        {model.maxOutputTokens === 0 ? <span className="muted">none</span> : formatNumber(model.maxOutputTokens)}
      </td>
      <td data-label="Capabilities" className="capabilities-cell">
        <span className="capabilities">
          {model.capabilities.length === 0
            ? '—'
            : model.capabilities.map((capability) => (
                <span key={capability} className="badge">
                  {capability}
                </span>
              ))}
        </span>
      </td>
      <td data-label="Input" className="number">
        {formatUsd(pricing.inputPerMTok)}
      </td>
      <td data-label="Output" className="number">
        {pricing.outputPerMTok === null ? <span className="muted">none</span> : formatUsd(pricing.outputPerMTok)}
      </td>
      <td data-label="Cached input" className="number">
        {pricing.cachedInputPerMTok === null ? <span className="muted">as input</span> : formatUsd(pricing.cachedInputPerMTok)}
      </td>
    </tr>
  );
}
