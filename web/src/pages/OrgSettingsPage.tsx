/**
 * The org's settings: name and plan (read-only: an instance administrator sets the plan), retention,
 * sign-in security for admins, the OIDC group mapping, the spend-limit outage policy, the data export and deletion. Every
 * member reads them; only owners (org:write) change them, except the outage policy, which admins change too (limits:write).
 */
import { useParams } from 'react-router';
import { useOrganization } from '../api/org-queries.ts';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { Loading } from '../components/Loading.tsx';
import { DeletionSection } from './org-settings/DeletionSection.tsx';
import { ExportSection } from './org-settings/ExportSection.tsx';
import { LimitsFailOpenSection } from './org-settings/LimitsFailOpenSection.tsx';
import { OidcGroupRolesSection } from './org-settings/OidcGroupRolesSection.tsx';
import { OrgSummarySection } from './org-settings/OrgSummarySection.tsx';
import { RetentionSection } from './org-settings/RetentionSection.tsx';
import { SignInSecuritySection } from './org-settings/SignInSecuritySection.tsx';

export function OrgSettingsPage() {
  const { orgId = '' } = useParams();
  const org = useOrganization(orgId);
  const mayWrite = org.data?.yourRole === 'owner';
  return (
    <section aria-labelledby="org-settings-title">
      <h1 id="org-settings-title">Organization settings</h1>
      <ErrorMessage error={org.error} />
      {org.isPending ? <Loading what="the organization" /> : null}
      {org.data === undefined ? null : (
        <>
          {mayWrite ? null : <p className="muted">Only owners change these settings; you see them read-only.</p>}
          <OrgSummarySection org={org.data} />
          <RetentionSection orgId={orgId} mayWrite={mayWrite} />
          <SignInSecuritySection orgId={orgId} mayWrite={mayWrite} />
          <OidcGroupRolesSection orgId={orgId} mayWrite={mayWrite} />
          <LimitsFailOpenSection orgId={orgId} mayWrite={org.data.yourRole === 'owner' || org.data.yourRole === 'admin'} />
          <ExportSection orgId={orgId} mayWrite={mayWrite} />
          <DeletionSection org={org.data} mayWrite={mayWrite} />
        </>
      )}
    </section>
  );
}
