/**
 * The audit log's filters, applied on submit (not per keystroke: a half-typed action name is a 400
 * from the api). They map one to one onto the list's and the export's query parameters.
 */
import type { FormEvent } from 'react';
import { AUDIT_ACTOR_TYPES, AUDIT_OUTCOMES } from '../../api/log-schemas.ts';
import type { QueryParams } from '../../api/log-queries.ts';
import { formText } from '../../lib/form.ts';
import { localToIso } from '../../lib/query-string.ts';

export function AuditFilterForm({ onApply }: { onApply: (filters: QueryParams) => void }) {
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    onApply({
      action: formText(data, 'action').trim(),
      actorType: formText(data, 'actorType'),
      actorId: formText(data, 'actorId').trim(),
      outcome: formText(data, 'outcome'),
      since: localToIso(formText(data, 'since')),
      until: localToIso(formText(data, 'until')),
    });
  };
  return (
    <form className="filters" aria-label="Filter the audit log" onSubmit={submit} onReset={() => onApply({})}>
      <div>
        <label htmlFor="audit-action">Action</label>
        <input id="audit-action" name="action" placeholder="api_key.created or api_key.*" aria-describedby="audit-action-hint" />
        <span id="audit-action-hint" className="cell-hint">
          One action, or a prefix and .*
        </span>
      </div>
      <div>
        <label htmlFor="audit-actor-type">Actor type</label>
        <select id="audit-actor-type" name="actorType" defaultValue="">
          <option value="">All</option>
          {AUDIT_ACTOR_TYPES.map((type) => (
            <option key={type} value={type}>
              {type}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="audit-actor-id">Actor id</label>
        <input id="audit-actor-id" name="actorId" />
      </div>
      <div>
        <label htmlFor="audit-outcome">Outcome</label>
        <select id="audit-outcome" name="outcome" defaultValue="">
          <option value="">All</option>
          {AUDIT_OUTCOMES.map((outcome) => (
            <option key={outcome} value={outcome}>
              {outcome}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="audit-since">From</label>
        <input id="audit-since" name="since" type="datetime-local" />
      </div>
      <div>
        <label htmlFor="audit-until">Until</label>
        <input id="audit-until" name="until" type="datetime-local" />
      </div>
      <div className="row">
        <button type="submit">Apply filters</button>
        <button type="reset" className="secondary">
          Clear
        </button>
      </div>
    </form>
  );
}
