/**
 * The user's passkeys: name, created, last used, synced or bound to one device; add one (the WebAuthn
 * ceremony in this browser), rename, remove (confirmed; the api refuses the last way into an account).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useState, type FormEvent } from 'react';
import { accountQueryKeys, useMyPasskeys } from '../../api/account-queries.ts';
import type { Passkey } from '../../api/account-schemas.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { SearchFilter } from '../../components/FilterFields.tsx';
import { ListSection } from '../../components/ListSection.tsx';
import { passkeyErrorMessage, passkeysSupported } from '../../auth/passkey.ts';
import { registerPasskey } from '../../auth/passkey-registration.ts';
import { formText } from '../../lib/form.ts';
import { formatDateTime } from '../../lib/format.ts';
import { usePaged } from '../../lib/paging.ts';
import { useSubmission } from '../../lib/submission.ts';
import { RemovePasskeyDialog } from './RemovePasskeyDialog.tsx';
import { RenamePasskeyDialog } from './RenamePasskeyDialog.tsx';

export const passkeyLabel = (passkey: Passkey): string => passkey.name ?? 'Unnamed passkey';

function storage(passkey: Passkey): string {
  return passkey.deviceType === 'multiDevice' || passkey.backedUp ? 'Synced' : 'This device only';
}

export function PasskeysSection() {
  const queryClient = useQueryClient();
  const passkeys = useMyPasskeys();
  const [search, setSearch] = useState('');
  const [renaming, setRenaming] = useState<Passkey | null>(null);
  const [removing, setRemoving] = useState<Passkey | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const { error, busy, run, refuse } = useSubmission();

  const needle = search.trim().toLowerCase();
  const filter = useCallback((passkey: Passkey) => needle === '' || passkeyLabel(passkey).toLowerCase().includes(needle), [needle]);
  const paged = usePaged(passkeys.data ?? [], filter, needle);

  function onAdd(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const name = formText(new FormData(form), 'name').trim();
    setAdded(null);
    if (name === '') return refuse(new Error('Give the passkey a name, so you can tell your passkeys apart (e.g. “work laptop”).'));
    if (!passkeysSupported()) return refuse(new Error('This browser does not support passkeys.'));
    run(async () => {
      try {
        await registerPasskey(name);
      } catch (caught) {
        throw new Error(passkeyErrorMessage(caught));
      }
      form.reset();
      setAdded(name);
      await queryClient.invalidateQueries({ queryKey: accountQueryKeys.passkeys });
      await queryClient.invalidateQueries({ queryKey: accountQueryKeys.signInMethods });
    });
  }

  return (
    <section aria-labelledby="passkeys-title" className="account-section">
      <h2 id="passkeys-title">Passkeys</h2>
      <p className="muted">
        A passkey signs you in with your device’s screen lock or security key, without a password, and cannot be phished. Synced passkeys
        follow your account at the platform (Apple, Google, a password manager); device-bound ones stay on one authenticator.
      </p>
      <form onSubmit={onAdd} noValidate className="inline-form">
        <div>
          <label htmlFor="passkey-name">Name of the new passkey</label>
          <input id="passkey-name" name="name" maxLength={100} autoComplete="off" placeholder="e.g. work laptop" />
        </div>
        <button type="submit" disabled={busy}>
          {busy ? 'Waiting for your device…' : 'Add a passkey'}
        </button>
      </form>
      <ErrorMessage error={error} />
      {added === null ? null : (
        <p className="notice" role="status">
          Passkey “{added}” added.
        </p>
      )}
      <div className="filters">
        <div>
          <SearchFilter id="passkey-search" label="Filter passkeys by name" value={search} onChange={setSearch} />
        </div>
      </div>
      <ListSection
        query={passkeys}
        paged={paged}
        label="Passkeys"
        loadingWhat="your passkeys"
        emptyMessage={passkeys.data?.length === 0 ? 'You have no passkey yet.' : 'No passkey matches this filter.'}
        columns={['Name', 'Created', 'Last used', 'Kept']}
        withActions
        tableClassName="passkeys-table"
      >
        {paged.items.map((passkey) => (
          <tr key={passkey.id} data-passkey-id={passkey.id}>
            <td data-label="Name" className="passkey-name">
              {passkeyLabel(passkey)}
            </td>
            <td data-label="Created">{formatDateTime(passkey.createdAt, 'Unknown')}</td>
            <td data-label="Last used">{formatDateTime(passkey.lastUsedAt)}</td>
            <td data-label="Kept">{storage(passkey)}</td>
            <td className="actions">
              <button
                type="button"
                className="secondary small"
                onClick={() => setRenaming(passkey)}
                aria-label={`Rename ${passkeyLabel(passkey)}`}
              >
                Rename
              </button>
              <button
                type="button"
                className="danger small"
                onClick={() => setRemoving(passkey)}
                aria-label={`Remove ${passkeyLabel(passkey)}`}
              >
                Remove
              </button>
            </td>
          </tr>
        ))}
      </ListSection>
      {renaming ? <RenamePasskeyDialog passkey={renaming} onClose={() => setRenaming(null)} /> : null}
      {removing ? <RemovePasskeyDialog passkey={removing} onClose={() => setRemoving(null)} /> : null}
    </section>
  );
}
