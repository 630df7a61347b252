/**
 * Codes shown once (two-factor backup codes, recovery codes): a list, a copy button and a plain
 * warning. The codes live only in the parent's component state: closing the dialog drops them.
 */
import { useState } from 'react';

type Props = { codes: readonly string[]; what: string };

export function OneTimeCodes({ codes, what }: Props) {
  const [copy, setCopy] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <div className="stack">
      <p className="warning" role="note">
        Store these {what} somewhere safe now (a password manager, or printed). Each works once. They will not be shown again: Portcullis
        keeps only their hashes.
      </p>
      <ul className="one-time-codes" aria-label={`Your ${what}`}>
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <div className="row">
        <button
          type="button"
          className="secondary"
          onClick={() => {
            // Outside a secure context the Clipboard API is absent: that throws inside then(), reported as a failure.
            Promise.resolve()
              .then(() => navigator.clipboard.writeText(codes.join('\n')))
              .then(
                () => setCopy('copied'),
                () => setCopy('failed'),
              );
          }}
        >
          Copy all
        </button>
        <p role="status" className="hint">
          {copy === 'copied'
            ? 'Copied to the clipboard.'
            : copy === 'failed'
              ? 'The browser refused to copy: select the codes and copy them by hand.'
              : ''}
        </p>
      </div>
    </div>
  );
}
