/** The dashboard's pages and their addresses. Every page but sign-in sits behind the signed-in layout. */
import { createBrowserRouter } from 'react-router';
import { SignInPage } from './auth/SignInPage.tsx';
import { SignUpPage } from './auth/SignUpPage.tsx';
import { AppLayout } from './layout/AppLayout.tsx';
import { HomeRedirect } from './layout/HomeRedirect.tsx';
import { AdminTokensPage } from './pages/AdminTokensPage.tsx';
import { ApiKeysPage } from './pages/ApiKeysPage.tsx';
import { AuditLogPage } from './pages/AuditLogPage.tsx';
import { GuardrailEventsPage } from './pages/GuardrailEventsPage.tsx';
import { GuardrailPoliciesPage } from './pages/GuardrailPoliciesPage.tsx';
import { InstanceAdminPage } from './pages/InstanceAdminPage.tsx';
import { MembersPage } from './pages/MembersPage.tsx';
import { ModelsPage } from './pages/ModelsPage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { OrgSettingsPage } from './pages/OrgSettingsPage.tsx';
import { OverviewPage } from './pages/OverviewPage.tsx';
import { PlaygroundPage } from './pages/PlaygroundPage.tsx';
import { PrivacyPage } from './pages/PrivacyPage.tsx';
import { ProjectSettingsPage } from './pages/ProjectSettingsPage.tsx';
import { ProjectsPage } from './pages/ProjectsPage.tsx';
import { ProviderKeysPage } from './pages/ProviderKeysPage.tsx';
import { RequestLogsPage } from './pages/RequestLogsPage.tsx';
import { SecurityPage } from './pages/SecurityPage.tsx';

export const createDashboardRouter = () =>
  createBrowserRouter([
    { path: '/login', element: <SignInPage /> },
    { path: '/signup', element: <SignUpPage /> },
    {
      element: <AppLayout />,
      children: [
        { index: true, element: <HomeRedirect /> },
        { path: 'orgs/:orgId', element: <OverviewPage /> },
        { path: 'orgs/:orgId/projects', element: <ProjectsPage /> },
        { path: 'orgs/:orgId/projects/:projectId/keys', element: <ApiKeysPage /> },
        { path: 'orgs/:orgId/projects/:projectId/settings', element: <ProjectSettingsPage /> },
        { path: 'orgs/:orgId/models', element: <ModelsPage /> },
        { path: 'orgs/:orgId/playground', element: <PlaygroundPage /> },
        { path: 'orgs/:orgId/request-logs', element: <RequestLogsPage /> },
        { path: 'orgs/:orgId/guardrails', element: <GuardrailPoliciesPage /> },
        { path: 'orgs/:orgId/members', element: <MembersPage /> },
        { path: 'orgs/:orgId/provider-keys', element: <ProviderKeysPage /> },
        { path: 'orgs/:orgId/admin-tokens', element: <AdminTokensPage /> },
        { path: 'orgs/:orgId/audit', element: <AuditLogPage /> },
        { path: 'orgs/:orgId/guardrail-violations', element: <GuardrailEventsPage /> },
        { path: 'orgs/:orgId/settings', element: <OrgSettingsPage /> },
        { path: 'account/security', element: <SecurityPage /> },
        { path: 'account/privacy', element: <PrivacyPage /> },
        { path: 'admin', element: <InstanceAdminPage /> },
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ]);
