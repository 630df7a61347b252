/**
 * Adds or edits one custom rule of the draft: its name, kind, pattern or terms, action and scope. Checks what the
 * api would refuse for its shape (name, uniqueness, an empty pattern or list) before the rule joins the draft;
 * whether RE2 can run a pattern is the api's to say, on "try it" and on save, next to the rule.
 */
import { useState, type FormEvent } from 'react';
import {
  CUSTOM_RULE_ACTIONS,
  CUSTOM_RULE_KINDS,
  RULE_NAME_PATTERN,
  RULE_SCOPES,
  type CustomRule,
  type CustomRuleKind,
} from '../../api/guardrail-policy-schemas.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { DialogFormActions } from '../../components/DialogFormActions.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { formText } from '../../lib/form.ts';
import { actionInWords } from './ActionSelect.tsx';

type Props = {
  /** The rule to edit, or null to add one. */
  rule: CustomRule | null;
  /** The other rules' names: a name must be unique within the policy. */
  takenNames: readonly string[];
  onSave: (rule: CustomRule) => void;
  onClose: () => void;
};

const KIND_WORDS: Readonly<Record<CustomRuleKind, string>> = {
  regex: 'Regular expression (RE2)',
  keywords: 'Keywords (whole words or phrases)',
  blocklist: 'Blocklist (terms anywhere, any case)',
};
const SCOPE_WORDS: Readonly<Record<string, string>> = { input: 'Requests', output: 'Answers', both: 'Requests and answers' };

/** The rule the form describes, or why it cannot be one. */
function ruleFromForm(data: FormData, kind: CustomRuleKind, takenNames: readonly string[]): CustomRule | Error {
  const name = formText(data, 'name').trim();
  if (!RULE_NAME_PATTERN.test(name))
    return new Error('The name takes lower-case letters, digits, "-" and "_" (at most 64, starting with a letter or digit).');
  if (takenNames.includes(name)) return new Error(`Another rule is already named “${name}”: names must be unique.`);
  const description = formText(data, 'description').trim();
  const action = CUSTOM_RULE_ACTIONS.find((a) => a === formText(data, 'action')) ?? 'flag';
  const scope = RULE_SCOPES.find((s) => s === formText(data, 'scope')) ?? 'both';
  const caseSensitive = kind !== 'blocklist' && data.get('caseSensitive') === 'on';
  const base = { name, kind, action, scope, caseSensitive, ...(description === '' ? {} : { description }) };
  if (kind === 'regex') {
    const pattern = formText(data, 'pattern');
    if (pattern === '') return new Error('A regular expression rule needs a pattern.');
    return { ...base, pattern };
  }
  const terms = formText(data, 'terms')
    .split('\n')
    .map((term) => term.trim())
    .filter((term) => term !== '');
  if (terms.length === 0) return new Error(`A ${kind} rule needs at least one term, one per line.`);
  return { ...base, terms };
}

export function CustomRuleDialog({ rule, takenNames, onSave, onClose }: Props) {
  const [kind, setKind] = useState<CustomRuleKind>(rule?.kind ?? 'blocklist');
  const [error, setError] = useState<Error | undefined>(undefined);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = ruleFromForm(new FormData(event.currentTarget), kind, takenNames);
    if (result instanceof Error) return setError(result);
    onSave(result);
  }

  return (
    <Dialog title={rule === null ? 'Add a custom rule' : `Edit rule “${rule.name}”`} onClose={onClose} className="wide-dialog">
      <form onSubmit={onSubmit} noValidate className="stack">
        <ErrorMessage error={error} />
        <label htmlFor="rule-name">Name</label>
        <input
          id="rule-name"
          name="name"
          defaultValue={rule?.name ?? ''}
          maxLength={64}
          autoComplete="off"
          placeholder="e.g. project-codenames"
          autoFocus
        />
        <label htmlFor="rule-description">Description (optional)</label>
        <input id="rule-description" name="description" defaultValue={rule?.description ?? ''} maxLength={200} autoComplete="off" />
        <label htmlFor="rule-kind">Kind</label>
        <select id="rule-kind" value={kind} onChange={(e) => setKind(CUSTOM_RULE_KINDS.find((k) => k === e.target.value) ?? 'blocklist')}>
          {CUSTOM_RULE_KINDS.map((k) => (
            <option key={k} value={k}>
              {KIND_WORDS[k]}
            </option>
          ))}
        </select>
        {kind === 'regex' ? (
          <>
            <label htmlFor="rule-pattern">Pattern</label>
            <input
              id="rule-pattern"
              name="pattern"
              className="mono"
              defaultValue={rule?.pattern ?? ''}
              maxLength={2000}
              autoComplete="off"
              spellCheck={false}
            />
            <p className="hint">RE2 syntax: no backreferences or lookaround, so matching stays linear in the text.</p>
          </>
        ) : (
          <>
            <label htmlFor="rule-terms">Terms (one per line)</label>
            <textarea id="rule-terms" name="terms" rows={4} defaultValue={(rule?.terms ?? []).join('\n')} spellCheck={false} />
          </>
        )}
        {kind === 'blocklist' ? null : (
          <div className="checkbox-field">
            <input id="rule-case" name="caseSensitive" type="checkbox" defaultChecked={rule?.caseSensitive ?? false} />
            <label htmlFor="rule-case">Case-sensitive</label>
          </div>
        )}
        <label htmlFor="rule-action">Action</label>
        <select id="rule-action" name="action" defaultValue={rule?.action ?? 'block'}>
          {CUSTOM_RULE_ACTIONS.map((a) => (
            <option key={a} value={a}>
              {actionInWords(a)}
            </option>
          ))}
        </select>
        <label htmlFor="rule-scope">Applies to</label>
        <select id="rule-scope" name="scope" defaultValue={rule?.scope ?? 'both'}>
          {RULE_SCOPES.map((s) => (
            <option key={s} value={s}>
              {SCOPE_WORDS[s]}
            </option>
          ))}
        </select>
        <DialogFormActions onCancel={onClose} busy={false} submitLabel={rule === null ? 'Add rule' : 'Update rule'} busyLabel="Working…" />
      </form>
    </Dialog>
  );
}
