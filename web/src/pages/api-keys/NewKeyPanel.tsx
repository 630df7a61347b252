/** The full key (or admin token), once: a copy button and a plain warning that it cannot be shown again. */
import { useState } from 'react';

type Props = {
  secret: string;
  onDone: () => void;
  /** What the secret is, in full ("API key", "admin token") and in short ("key", "token"). */
  noun?: string;
  shortNoun?: string;
};

export function NewKeyPanel({ secret, onDone, noun = 'API key', shortNoun = 'key' }: Props) {
  const [copy, setCopy] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <div className="stack">
      <p className="warning" role="note">
        Copy this {shortNoun} now and store it somewhere safe, such as your secret manager. It will not be shown again: Portcullis keeps
        only a hash of it.
      </p>
      <label htmlFor="new-key">Your new {noun}</label>
      <div className="copy-row">
        <input
          id="new-key"
          className="secret"
          readOnly
          value={secret}
          spellCheck={false}
          autoComplete="off"
          onFocus={(event) => event.currentTarget.select()}
        />
        <button
          type="button"
          onClick={() => {
            // Outside a secure context the Clipboard API is absent: that throws inside then(), reported as a failure.
            Promise.resolve()
              .then(() => navigator.clipboard.writeText(secret))
              .then(
                () => setCopy('copied'),
                () => setCopy('failed'),
              );
          }}
        >
          Copy
        </button>
      </div>
      <p role="status" className="hint">
        {copy === 'copied'
          ? 'Copied to the clipboard.'
          : copy === 'failed'
            ? `The browser refused to copy: select the ${shortNoun} and copy it by hand.`
            : ''}
      </p>
      <div className="dialog-actions">
        <button type="button" onClick={onDone}>
          I have stored the {shortNoun}
        </button>
      </div>
    </div>
  );
}
