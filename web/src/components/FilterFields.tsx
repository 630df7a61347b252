/** The fields of the lists' filter bars and filter forms, each a labelled control. */
import type { ChangeEvent, ComponentProps } from 'react';

/** A search box filtering a list by name as the user types (label and input, for the caller to place). */
export function SearchFilter({
  id,
  label,
  value,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <input id={id} type="search" value={value} onChange={(e: ChangeEvent<HTMLInputElement>) => onChange(e.target.value)} />
    </>
  );
}

export type FilterOption = string | { value: string; label: string };

type FilterSelectProps = Omit<ComponentProps<'select'>, 'children'> & {
  id: string;
  label: string;
  options: readonly FilterOption[];
  /** The value of the first option, "All" (no filter). */
  allValue?: string;
};

/** A labelled select whose first option, "All", filters nothing; controlled or named in a form. */
export function FilterSelect({ id, label, options, allValue = '', ...select }: FilterSelectProps) {
  return (
    <div>
      <label htmlFor={id}>{label}</label>
      <select id={id} {...select}>
        <option value={allValue}>All</option>
        {options.map((option) => {
          const { value, label: text } = typeof option === 'string' ? { value: option, label: option } : option;
          return (
            <option key={value} value={value}>
              {text}
            </option>
          );
        })}
      </select>
    </div>
  );
}
