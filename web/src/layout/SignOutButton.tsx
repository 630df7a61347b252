import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { errorMessage, requestVoid } from '../api/client.ts';

/** Ends the session on the server, forgets every cached answer, and returns to sign-in. */
export function SignOutButton() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <button
        type="button"
        className="secondary"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          setError(null);
          requestVoid('POST', '/api/auth/sign-out', { body: {} })
            .then(() => {
              queryClient.clear();
              return navigate('/login', { replace: true, state: { signedOut: true } });
            })
            .catch((caught: unknown) => {
              setBusy(false);
              setError(`Signing out failed: ${errorMessage(caught)}`);
            });
        }}
      >
        Sign out
      </button>
      {error === null ? null : (
        <p className="error topbar-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
