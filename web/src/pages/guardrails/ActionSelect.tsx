/** A labelled choice of what a finding does, each action said in words. */
import type { ComponentProps } from 'react';

const ACTION_WORDS: Readonly<Record<string, string>> = {
  off: 'Off',
  log: 'Log only',
  mask: 'Mask (keep last 4)',
  redact: 'Redact (placeholder)',
  block: 'Block',
  flag: 'Flag (log only)',
};

export const actionInWords = (action: string): string => ACTION_WORDS[action] ?? action;

type Props<A extends string> = Omit<ComponentProps<'select'>, 'value' | 'onChange' | 'children'> & {
  id: string;
  label: string;
  actions: readonly A[];
  value: A;
  onChange: (action: A) => void;
};

export function ActionSelect<A extends string>({ id, label, actions, value, onChange, ...select }: Props<A>) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        onChange={(e) => {
          const chosen = actions.find((a) => a === e.target.value);
          if (chosen !== undefined) onChange(chosen);
        }}
        {...select}
      >
        {actions.map((action) => (
          <option key={action} value={action}>
            {actionInWords(action)}
          </option>
        ))}
      </select>
    </div>
  );
}
