/** The signed-in frame: header (org switcher, theme, account), navigation for the current org, and the page. */
import { Link, Navigate, NavLink, Outlet, useLocation, useParams } from 'react-router';
import { isUnauthorized } from '../api/client.ts';
import { useMe } from '../api/queries.ts';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { Loading } from '../components/Loading.tsx';
import { roleAtLeast } from '../lib/org-role.ts';
import { OrgSwitcher } from './OrgSwitcher.tsx';
import { SignOutButton } from './SignOutButton.tsx';
import { ThemeToggle } from './ThemeToggle.tsx';

export function AppLayout() {
  const me = useMe();
  const location = useLocation();
  const { orgId } = useParams();

  if (me.isPending) {
    return (
      <main id="main" className="centered">
        <Loading what="your account" />
      </main>
    );
  }
  if (me.isError) {
    if (isUnauthorized(me.error)) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
    return (
      <main id="main" className="centered">
        <h1>Portcullis</h1>
        <ErrorMessage error={me.error} />
        <button type="button" onClick={() => void me.refetch()}>
          Try again
        </button>
      </main>
    );
  }

  const currentOrg = me.data.memberships.find((m) => m.orgId === orgId);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link className="brand" to="/">
          Portcullis
        </Link>
        <OrgSwitcher memberships={me.data.memberships} currentOrgId={currentOrg?.orgId} />
        <div className="topbar-end">
          <ThemeToggle />
          <span className="account-email" title="Signed in as">
            {me.data.user.email}
          </span>
          <nav className="account-nav" aria-label="Account">
            <NavLink to="/account/security">Security</NavLink>
            <NavLink to="/account/privacy">Privacy</NavLink>
            {me.data.instanceAdmin ? <NavLink to="/admin">Instance admin</NavLink> : null}
          </nav>
          <SignOutButton />
        </div>
      </header>
      {currentOrg === undefined ? null : (
        <nav className="sidenav" aria-label="Organization">
          <ul>
            <li>
              <NavLink to={`/orgs/${currentOrg.orgId}`} end>
                Overview
              </NavLink>
            </li>
            <li>
              <NavLink to={`/orgs/${currentOrg.orgId}/projects`}>Projects and API keys</NavLink>
            </li>
            <li>
              <NavLink to={`/orgs/${currentOrg.orgId}/models`}>Models</NavLink>
            </li>
            <li>
              <NavLink to={`/orgs/${currentOrg.orgId}/playground`}>Playground</NavLink>
            </li>
            <li>
              <NavLink to={`/orgs/${currentOrg.orgId}/request-logs`}>Request logs</NavLink>
            </li>
            <li>
              <NavLink to={`/orgs/${currentOrg.orgId}/guardrails`}>Guardrails</NavLink>
            </li>
            <li>
              <NavLink to={`/orgs/${currentOrg.orgId}/guardrail-violations`}>Guardrail violations</NavLink>
            </li>
            <li>
              <NavLink to={`/orgs/${currentOrg.orgId}/provider-keys`}>Provider keys</NavLink>
            </li>
            {/* Links to pages the role cannot read (members:read, admin_tokens:read, audit:read) are left out; the api refuses them anyway. */}
            {roleAtLeast(currentOrg.role, 'developer') ? (
              <li>
                <NavLink to={`/orgs/${currentOrg.orgId}/members`}>Members</NavLink>
              </li>
            ) : null}
            {roleAtLeast(currentOrg.role, 'admin') ? (
              <>
                <li>
                  <NavLink to={`/orgs/${currentOrg.orgId}/admin-tokens`}>Admin tokens</NavLink>
                </li>
                <li>
                  <NavLink to={`/orgs/${currentOrg.orgId}/audit`}>Audit log</NavLink>
                </li>
              </>
            ) : null}
            <li>
              <NavLink to={`/orgs/${currentOrg.orgId}/settings`}>Settings</NavLink>
            </li>
          </ul>
        </nav>
      )}
      <main id="main" className="content" tabIndex={-1}>
        {orgId !== undefined && currentOrg === undefined ? (
          <section>
            <h1>Organization not found</h1>
            <p>You are not a member of this organization, or it no longer exists. Pick one of yours above.</p>
          </section>
        ) : (
          <Outlet />
        )}
      </main>
    </div>
  );
}
