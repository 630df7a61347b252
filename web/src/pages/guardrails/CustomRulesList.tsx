/**
 * The draft's custom rules: filterable by name, paged, each with what it matches, its action and scope, and the
 * api's refusal of it (a pattern RE2 cannot run) right under its name. Adding, editing and removing change the
 * draft only; Save sends them.
 */
import { useCallback, useState } from 'react';
import type { CustomRule } from '../../api/guardrail-policy-schemas.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { SearchFilter } from '../../components/FilterFields.tsx';
import { ListSection } from '../../components/ListSection.tsx';
import { usePaged } from '../../lib/paging.ts';
import { CustomRuleDialog } from './CustomRuleDialog.tsx';
import { withRule } from './draft.ts';

type Props = {
  rules: readonly CustomRule[];
  onChange: (rules: CustomRule[]) => void;
  editable: boolean;
  /** Rule name → the api's reason for refusing it. */
  ruleErrors: ReadonlyMap<string, string>;
};

type Editing = { rule: CustomRule | null };

/** Always settled: the list is the draft in memory, not a request. */
const SETTLED = { error: undefined, isPending: false, isSuccess: true } as const;

const matchedBy = (rule: CustomRule): string => (rule.kind === 'regex' ? (rule.pattern ?? '') : (rule.terms ?? []).join(', '));

export function CustomRulesList({ rules, onChange, editable, ruleErrors }: Props) {
  const [search, setSearch] = useState('');
  const [editing, setEditing] = useState<Editing | null>(null);
  const [removing, setRemoving] = useState<CustomRule | null>(null);
  const needle = search.trim().toLowerCase();
  const filter = useCallback((rule: CustomRule) => needle === '' || rule.name.includes(needle), [needle]);
  const paged = usePaged(rules, filter, needle);

  return (
    <>
      <div className="filters">
        <div>
          <SearchFilter id="rule-search" label="Filter rules by name" value={search} onChange={setSearch} />
        </div>
        {editable ? (
          <button type="button" onClick={() => setEditing({ rule: null })}>
            Add rule
          </button>
        ) : null}
      </div>
      <ListSection
        query={SETTLED}
        paged={paged}
        label="Custom rules"
        loadingWhat="custom rules"
        emptyMessage={rules.length === 0 ? 'No custom rule.' : 'No rule matches this filter.'}
        columns={['Name', 'Kind', 'Matches', 'Action', 'Applies to']}
        withActions={editable}
        tableClassName="rules-table"
      >
        {paged.items.map((rule) => {
          const refusal = ruleErrors.get(rule.name);
          return (
            <tr key={rule.name} data-rule={rule.name}>
              <td data-label="Name" className="rule-name">
                {rule.name}
                {rule.description ? <span className="cell-hint">{rule.description}</span> : null}
                {refusal === undefined ? null : <span className="rule-error">{refusal}</span>}
              </td>
              <td data-label="Kind">{rule.kind}</td>
              <td data-label="Matches">
                <code className="rule-match">{matchedBy(rule)}</code>
                {rule.caseSensitive ? <span className="cell-hint">case-sensitive</span> : null}
              </td>
              <td data-label="Action">
                <span className={`badge action-${rule.action}`}>{rule.action}</span>
              </td>
              <td data-label="Applies to">{rule.scope ?? 'both'}</td>
              {editable ? (
                <td className="actions">
                  <button type="button" className="secondary small" onClick={() => setEditing({ rule })} aria-label={`Edit ${rule.name}`}>
                    Edit
                  </button>
                  <button type="button" className="danger small" onClick={() => setRemoving(rule)} aria-label={`Remove ${rule.name}`}>
                    Remove
                  </button>
                </td>
              ) : null}
            </tr>
          );
        })}
      </ListSection>
      {editing === null ? null : (
        <CustomRuleDialog
          rule={editing.rule}
          takenNames={rules.map((r) => r.name).filter((name) => name !== editing.rule?.name)}
          onClose={() => setEditing(null)}
          onSave={(rule) => {
            onChange(withRule(rules, rule, editing.rule?.name ?? null));
            setEditing(null);
          }}
        />
      )}
      {removing === null ? null : (
        <ConfirmDialog
          title={`Remove rule “${removing.name}”?`}
          confirmLabel="Remove rule"
          onCancel={() => setRemoving(null)}
          onConfirm={() => {
            onChange(rules.filter((r) => r.name !== removing.name));
            setRemoving(null);
          }}
        >
          <p>The rule leaves the draft; it stops applying once you save the policy.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
