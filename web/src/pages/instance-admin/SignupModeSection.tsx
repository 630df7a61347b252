/** Who may create an account (PUT /api/instance/settings, audited in the instance chain). */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { request } from '../../api/client.ts';
import { instanceQueryKeys } from '../../api/instance-queries.ts';
import { instanceSettingsSchema, type SignupMode } from '../../api/instance-schemas.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { useSubmission } from '../../lib/submission.ts';

export function SignupModeSection({ signupMode }: { signupMode: SignupMode }) {
  const queryClient = useQueryClient();
  const [choice, setChoice] = useState<SignupMode>(signupMode);
  const [saved, setSaved] = useState(false);
  const { error, busy, run } = useSubmission();

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(false);
    run(async () => {
      const next = await request('PUT', '/api/instance/settings', instanceSettingsSchema, { body: { signupMode: choice } });
      queryClient.setQueryData(instanceQueryKeys.settings, next);
      setSaved(true);
    });
  }

  return (
    <section aria-labelledby="signup-title" className="admin-section">
      <h2 id="signup-title">Sign-up</h2>
      <form onSubmit={onSubmit} className="stack narrow-form" aria-label="Sign-up mode">
        <ErrorMessage error={error} />
        {saved ? (
          <p className="notice" role="status">
            Sign-up mode saved: {signupMode === 'open' ? 'open' : 'invitation only'}.
          </p>
        ) : null}
        <fieldset className="choice-group">
          <legend>Who may create an account</legend>
          <label className="choice">
            <input type="radio" name="signupMode" checked={choice === 'invite_only'} onChange={() => setChoice('invite_only')} />
            Invitation only: accounts come from invitations (and the setup link)
          </label>
          <label className="choice">
            <input type="radio" name="signupMode" checked={choice === 'open'} onChange={() => setChoice('open')} />
            Open: anyone who reaches this instance may sign up and create an organization on the free plan
          </label>
        </fieldset>
        <div className="row">
          <button type="submit" disabled={busy || choice === signupMode}>
            {busy ? 'Saving…' : 'Save sign-up mode'}
          </button>
        </div>
      </form>
    </section>
  );
}
