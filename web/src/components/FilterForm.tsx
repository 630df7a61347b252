/**
 * A filter form applied on submit (not per keystroke: the api refuses a half-typed filter), with the
 * caller's fields, then a From / Until time range, then Apply filters and Clear (which applies none).
 */
import type { FormEvent, ReactNode } from 'react';
import type { QueryParams } from '../api/log-queries.ts';
import { formText } from '../lib/form.ts';
import { isoToLocal, localToIso } from '../lib/query-string.ts';

type Props = {
  /** The form's accessible name. */
  label: string;
  /** Prefix of the time range fields' ids: `{idPrefix}-since`, `{idPrefix}-until`. */
  idPrefix: string;
  /** The caller's filters from the submitted fields; the time range is added after them. */
  readFilters: (data: FormData) => QueryParams;
  onApply: (filters: QueryParams) => void;
  /** The time range the fields start with (ISO instants), e.g. from a link; empty when absent. */
  initialRange?: { since?: string; until?: string };
  children: ReactNode;
};

export function FilterForm({ label, idPrefix, readFilters, onApply, initialRange, children }: Props) {
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    onApply({ ...readFilters(data), since: localToIso(formText(data, 'since')), until: localToIso(formText(data, 'until')) });
  };
  return (
    <form className="filters" aria-label={label} onSubmit={submit} onReset={() => onApply({})}>
      {children}
      <div>
        <label htmlFor={`${idPrefix}-since`}>From</label>
        <input id={`${idPrefix}-since`} name="since" type="datetime-local" defaultValue={isoToLocal(initialRange?.since)} />
      </div>
      <div>
        <label htmlFor={`${idPrefix}-until`}>Until</label>
        <input id={`${idPrefix}-until`} name="until" type="datetime-local" defaultValue={isoToLocal(initialRange?.until)} />
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
