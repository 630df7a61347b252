/**
 * The audit log's filters, applied on submit (not per keystroke: a half-typed action name is a 400
 * from the api). They map one to one onto the list's and the export's query parameters.
 */
import { AUDIT_ACTOR_TYPES, AUDIT_OUTCOMES } from '../../api/log-schemas.ts';
import type { QueryParams } from '../../api/log-queries.ts';
import { FilterForm } from '../../components/FilterForm.tsx';
import { FilterSelect } from '../../components/FilterFields.tsx';
import { formText } from '../../lib/form.ts';

const readFilters = (data: FormData): QueryParams => ({
  action: formText(data, 'action').trim(),
  actorType: formText(data, 'actorType'),
  actorId: formText(data, 'actorId').trim(),
  outcome: formText(data, 'outcome'),
});

export function AuditFilterForm({ onApply }: { onApply: (filters: QueryParams) => void }) {
  return (
    <FilterForm label="Filter the audit log" idPrefix="audit" readFilters={readFilters} onApply={onApply}>
      <div>
        <label htmlFor="audit-action">Action</label>
        <input id="audit-action" name="action" placeholder="api_key.created or api_key.*" aria-describedby="audit-action-hint" />
        <span id="audit-action-hint" className="cell-hint">
          One action, or a prefix and .*
        </span>
      </div>
      <FilterSelect id="audit-actor-type" name="actorType" defaultValue="" label="Actor type" options={AUDIT_ACTOR_TYPES} />
      <div>
        <label htmlFor="audit-actor-id">Actor id</label>
        <input id="audit-actor-id" name="actorId" />
      </div>
      <FilterSelect id="audit-outcome" name="outcome" defaultValue="" label="Outcome" options={AUDIT_OUTCOMES} />
    </FilterForm>
  );
}
