/**
 * Where the account is signed in: device, address, last activity; this browser marked. Ending a
 * session (or all others) is confirmed and takes effect on that browser's next request.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { accountQueryKeys, useMySessions } from '../../api/account-queries.ts';
import { revokedSessionsSchema, type AccountSession } from '../../api/account-schemas.ts';
import { request, requestVoid, seg } from '../../api/client.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { SearchFilter } from '../../components/FilterFields.tsx';
import { ListSection } from '../../components/ListSection.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { usePaged } from '../../lib/paging.ts';
import { describeUserAgent } from './user-agent.ts';

function EndSessionDialog({ session, onClose }: { session: AccountSession; onClose: () => void }) {
  const queryClient = useQueryClient();
  const end = useMutation({
    mutationFn: () => requestVoid('DELETE', `/api/me/sessions/${seg(session.id)}`),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: accountQueryKeys.sessions });
      onClose();
    },
  });
  return (
    <ConfirmDialog
      title="End this session?"
      confirmLabel="End session"
      onConfirm={() => end.mutate()}
      onCancel={onClose}
      busy={end.isPending}
      error={end.error ?? undefined}
    >
      <p>
        {describeUserAgent(session.userAgent)}
        {session.ipAddress === null ? '' : ` at ${session.ipAddress}`} will be signed out at its next request.
      </p>
    </ConfirmDialog>
  );
}

function EndOtherSessionsDialog({ onClose, onDone }: { onClose: () => void; onDone: (revoked: number) => void }) {
  const queryClient = useQueryClient();
  const end = useMutation({
    mutationFn: () => request('POST', '/api/me/sessions/revoke-all', revokedSessionsSchema, { body: { includeCurrent: false } }),
    onSuccess: async (result) => {
      await queryClient.invalidateQueries({ queryKey: accountQueryKeys.sessions });
      onDone(result.revoked);
    },
  });
  return (
    <ConfirmDialog
      title="Sign out everywhere else?"
      confirmLabel="Sign out other sessions"
      onConfirm={() => end.mutate()}
      onCancel={onClose}
      busy={end.isPending}
      error={end.error ?? undefined}
    >
      <p>Every session but this browser’s ends: other devices will have to sign in again.</p>
    </ConfirmDialog>
  );
}

export function SessionsSection() {
  const sessions = useMySessions();
  const [search, setSearch] = useState('');
  const [ending, setEnding] = useState<AccountSession | null>(null);
  const [endingOthers, setEndingOthers] = useState(false);
  const [revoked, setRevoked] = useState<number | null>(null);

  const needle = search.trim().toLowerCase();
  const filter = useCallback(
    (session: AccountSession) =>
      needle === '' ||
      [describeUserAgent(session.userAgent), session.userAgent ?? '', session.ipAddress ?? ''].some((text) =>
        text.toLowerCase().includes(needle),
      ),
    [needle],
  );
  const paged = usePaged(sessions.data ?? [], filter, needle);
  const others = (sessions.data ?? []).filter((s) => !s.current).length;

  return (
    <section aria-labelledby="sessions-title" className="account-section">
      <div className="page-title">
        <h2 id="sessions-title">Active sessions</h2>
        <button type="button" className="secondary" onClick={() => setEndingOthers(true)} disabled={others === 0}>
          Sign out everywhere else
        </button>
      </div>
      {revoked === null ? null : (
        <p className="notice" role="status">
          {revoked === 1 ? '1 other session was ended.' : `${revoked} other sessions were ended.`}
        </p>
      )}
      <div className="filters">
        <div>
          <SearchFilter id="session-search" label="Filter by device or address" value={search} onChange={setSearch} />
        </div>
      </div>
      <ListSection
        query={sessions}
        paged={paged}
        label="Active sessions"
        loadingWhat="your sessions"
        emptyMessage={sessions.data?.length === 0 ? 'No active session.' : 'No session matches this filter.'}
        columns={['Device', 'Address', 'Last active', 'Signed in']}
        withActions
        tableClassName="sessions-table"
      >
        {paged.items.map((session) => (
          <tr key={session.id} data-session-id={session.id} className={session.current ? 'current-session' : undefined}>
            <td data-label="Device" title={session.userAgent ?? undefined}>
              {describeUserAgent(session.userAgent)} {session.current ? <span className="badge status-active">This browser</span> : null}
            </td>
            <td data-label="Address">{session.ipAddress ?? 'Unknown'}</td>
            <td data-label="Last active">{formatDateTime(session.lastActiveAt)}</td>
            <td data-label="Signed in">{formatDateTime(session.createdAt)}</td>
            <td className="actions">
              {session.current ? null : (
                <button
                  type="button"
                  className="danger small"
                  onClick={() => setEnding(session)}
                  aria-label={`End session of ${describeUserAgent(session.userAgent)}${session.ipAddress === null ? '' : ` at ${session.ipAddress}`}`}
                >
                  End
                </button>
              )}
            </td>
          </tr>
        ))}
      </ListSection>
      {ending ? <EndSessionDialog session={ending} onClose={() => setEnding(null)} /> : null}
      {endingOthers ? (
        <EndOtherSessionsDialog
          onClose={() => setEndingOthers(false)}
          onDone={(count) => {
            setRevoked(count);
            setEndingOthers(false);
          }}
        />
      ) : null}
    </section>
  );
}
