/**
 * A text and a direction, judged live by the api under the draft: blocked or not (and by what), the text as the
 * provider would receive it, and each finding with its detector, rule or type, action and offsets.
 */
import { useId } from 'react';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { actionInWords } from './ActionSelect.tsx';
import type { GuardrailTrial } from './useGuardrailTrial.ts';
import { TableScroller } from '../../components/TableScroller.tsx';

export function TryItBox({ trial }: { trial: GuardrailTrial }) {
  const id = useId();
  const { result } = trial;
  return (
    <section className="try-it" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Try it</h2>
      <p className="hint">
        The unsaved draft, run by the api over your text. Nothing is stored or sent to a provider, and a blocked text is not echoed back.
      </p>
      <div className="try-fields">
        <div className="field try-text">
          <label htmlFor={`${id}-text`}>Text to try</label>
          <textarea
            id={`${id}-text`}
            rows={4}
            value={trial.text}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => trial.setText(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-direction`}>Direction</label>
          <select
            id={`${id}-direction`}
            value={trial.direction}
            onChange={(e) => trial.setDirection(e.target.value === 'output' ? 'output' : 'input')}
          >
            <option value="input">Request (input)</option>
            <option value="output">Answer (output)</option>
          </select>
        </div>
      </div>
      <div className="try-result" aria-live="polite" aria-busy={trial.pending}>
        {trial.pending ? <p className="muted">Checking…</p> : null}
        <ErrorMessage error={trial.error} />
        {result === null || trial.pending ? null : (
          <>
            {result.blocked === null ? (
              <p className="verdict verdict-pass" data-verdict="pass">
                Not blocked. The provider would receive:
              </p>
            ) : (
              <p className="verdict verdict-blocked" data-verdict="blocked">
                Blocked by the {result.blocked.detector} detector, {result.blocked.detector === 'custom' ? 'rule' : 'type'}{' '}
                {result.blocked.type}.
              </p>
            )}
            {result.text === null ? null : (
              <pre className="try-output" aria-label="Text as the provider would receive it">
                {result.text}
              </pre>
            )}
            {result.findings.length === 0 ? (
              <p className="muted">No finding.</p>
            ) : (
              <TableScroller>
                <table className="findings-table">
                  <caption className="visually-hidden">Findings</caption>
                  <thead>
                    <tr>
                      <th scope="col">Detector</th>
                      <th scope="col">Rule or type</th>
                      <th scope="col">Action</th>
                      <th scope="col">Offsets</th>
                    </tr>
                  </thead>
                  <tbody>
                    {result.findings.map((finding) => (
                      <tr key={`${finding.detector}-${finding.type}-${finding.start}-${finding.end}`}>
                        <td data-label="Detector">{finding.detector}</td>
                        <td data-label="Rule or type">{finding.type}</td>
                        <td data-label="Action">
                          <span className={`badge action-${finding.action}`} title={actionInWords(finding.action)}>
                            {finding.action}
                          </span>
                        </td>
                        <td data-label="Offsets">
                          {finding.start}–{finding.end}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableScroller>
            )}
          </>
        )}
      </div>
    </section>
  );
}
