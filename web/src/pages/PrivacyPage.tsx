/** The signed-in user's personal data: download it all (GDPR access), or delete the account (erasure). */
import { useMe } from '../api/queries.ts';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { Loading } from '../components/Loading.tsx';
import { DeleteAccountSection } from './privacy/DeleteAccountSection.tsx';
import { ExportSection } from './privacy/ExportSection.tsx';

export function PrivacyPage() {
  const me = useMe();
  return (
    <section aria-labelledby="page-title" className="account-page">
      <h1 id="page-title">Privacy</h1>
      <ExportSection />
      <ErrorMessage error={me.error} />
      {me.isPending ? <Loading what="your account" /> : null}
      {me.isSuccess ? <DeleteAccountSection email={me.data.user.email} /> : null}
    </section>
  );
}
