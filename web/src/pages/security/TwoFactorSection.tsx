/** Two-factor authentication (TOTP) for an account with a password: its state, and turning it on or off. */
import { useState } from 'react';
import { EnableTwoFactorDialog } from './EnableTwoFactorDialog.tsx';
import { DisableTwoFactorDialog, NewBackupCodesDialog } from './TwoFactorDialogs.tsx';

type Open = 'enable' | 'disable' | 'backup-codes' | null;

export function TwoFactorSection({ enabled }: { enabled: boolean }) {
  const [open, setOpen] = useState<Open>(null);
  const close = () => setOpen(null);
  return (
    <section aria-labelledby="two-factor-title" className="account-section">
      <h2 id="two-factor-title">Two-factor authentication</h2>
      <p>
        Status: <strong className={enabled ? 'badge status-active' : 'badge'}>{enabled ? 'On' : 'Off'}</strong>
      </p>
      <p className="muted">
        {enabled
          ? 'Signing in with your password also asks for a code from your authenticator app, or one of your backup codes.'
          : 'With two-factor on, a stolen password is not enough: signing in also asks for a code from an authenticator app.'}
      </p>
      <div className="row">
        {enabled ? (
          <>
            <button type="button" className="secondary" onClick={() => setOpen('backup-codes')}>
              New backup codes
            </button>
            <button type="button" className="danger" onClick={() => setOpen('disable')}>
              Turn off two-factor
            </button>
          </>
        ) : (
          <button type="button" onClick={() => setOpen('enable')}>
            Turn on two-factor
          </button>
        )}
      </div>
      {open === 'enable' ? <EnableTwoFactorDialog onClose={close} /> : null}
      {open === 'disable' ? <DisableTwoFactorDialog onClose={close} /> : null}
      {open === 'backup-codes' ? <NewBackupCodesDialog onClose={close} /> : null}
    </section>
  );
}
