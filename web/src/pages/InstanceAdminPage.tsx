/**
 * Instance administration (signed-in instance admins only): the sign-up mode, every org with its plan,
 * and the instance administrators. Anyone else gets the api's refusal in words, and nothing more is asked.
 */
import { useInstanceSettings } from '../api/instance-queries.ts';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { Loading } from '../components/Loading.tsx';
import { InstanceAdminsSection } from './instance-admin/InstanceAdminsSection.tsx';
import { OrgPlansSection } from './instance-admin/OrgPlansSection.tsx';
import { SignupModeSection } from './instance-admin/SignupModeSection.tsx';

export function InstanceAdminPage() {
  const settings = useInstanceSettings();
  return (
    <section aria-labelledby="instance-admin-title">
      <h1 id="instance-admin-title">Instance administration</h1>
      <p className="muted">This instance as a whole, not one organization. Every change is recorded in the instance’s audit chain.</p>
      <ErrorMessage error={settings.error} />
      {settings.isPending ? <Loading what="the instance settings" /> : null}
      {settings.data === undefined ? null : (
        <>
          <SignupModeSection signupMode={settings.data.signupMode} />
          <OrgPlansSection />
          <InstanceAdminsSection />
        </>
      )}
    </section>
  );
}
