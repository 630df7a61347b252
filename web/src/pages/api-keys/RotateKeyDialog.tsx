/**
 * Rotation replaces a key's secret (same id, limits and history); the old secret keeps working for
 * the chosen grace period so applications can move over. The new secret is shown once, as on creation.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { request, seg } from '../../api/client.ts';
import { queryKeys } from '../../api/queries.ts';
import { issuedApiKeySchema, type ApiKey } from '../../api/schemas.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { DialogFormActions } from '../../components/DialogFormActions.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { formText } from '../../lib/form.ts';
import { useSubmission } from '../../lib/submission.ts';
import { NewKeyPanel } from './NewKeyPanel.tsx';

/** The api accepts 0 to 7 days (MAX_GRACE_PERIOD_SECONDS). */
const GRACE_PERIODS = [
  { seconds: 0, label: 'None: the old secret stops at once' },
  { seconds: 3_600, label: '1 hour' },
  { seconds: 86_400, label: '24 hours' },
  { seconds: 604_800, label: '7 days' },
] as const;

type Props = { orgId: string; projectId: string; apiKey: ApiKey; onClose: () => void };

export function RotateKeyDialog({ orgId, projectId, apiKey, onClose }: Props) {
  const queryClient = useQueryClient();
  const [secret, setSecret] = useState<string | null>(null);
  const { error, busy, run } = useSubmission();

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const gracePeriodSeconds = Number(formText(new FormData(event.currentTarget), 'grace'));
    run(async () => {
      const result = await request('POST', `/api/orgs/${seg(orgId)}/api-keys/${seg(apiKey.id)}/rotate`, issuedApiKeySchema, {
        body: { gracePeriodSeconds },
      });
      setSecret(result.key);
      await queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys(orgId, projectId) });
    });
  }

  if (secret !== null) {
    return (
      <Dialog title={`New secret for “${apiKey.name}”`} onClose={onClose} className="new-key-dialog">
        <NewKeyPanel secret={secret} onDone={onClose} />
      </Dialog>
    );
  }
  return (
    <Dialog
      title={`Rotate the API key “${apiKey.name}”?`}
      onClose={onClose}
      description={
        <p>
          A new secret replaces <code>{apiKey.maskedKey}</code>. The key keeps its limits, restrictions and history. Applications must
          switch to the new secret before the grace period ends.
          {apiKey.status === 'rotating' ? ' A rotation is already running: its older secret stops at once.' : ''}
        </p>
      }
    >
      <form onSubmit={onSubmit} noValidate className="stack">
        <ErrorMessage error={error} />
        <label htmlFor="grace">The old secret keeps working for</label>
        <select id="grace" name="grace" defaultValue={String(86_400)}>
          {GRACE_PERIODS.map((period) => (
            <option key={period.seconds} value={period.seconds}>
              {period.label}
            </option>
          ))}
        </select>
        <DialogFormActions onCancel={onClose} busy={busy} submitLabel="Rotate key" busyLabel="Rotating…" destructive />
      </form>
    </Dialog>
  );
}
