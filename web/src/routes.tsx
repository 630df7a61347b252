/** The dashboard's pages and their addresses. Every page but sign-in sits behind the signed-in layout. */
import { createBrowserRouter } from 'react-router';
import { SignInPage } from './auth/SignInPage.tsx';
import { AppLayout } from './layout/AppLayout.tsx';
import { HomeRedirect } from './layout/HomeRedirect.tsx';
import { AdminTokensPage } from './pages/AdminTokensPage.tsx';
import { ApiKeysPage } from './pages/ApiKeysPage.tsx';
import { AuditLogPage } from './pages/AuditLogPage.tsx';
import { GuardrailEventsPage } from './pages/GuardrailEventsPage.tsx';
import { MembersPage } from './pages/MembersPage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { OverviewPage } from './pages/OverviewPage.tsx';
import { ProjectsPage } from './pages/ProjectsPage.tsx';
import { ProviderKeysPage } from './pages/ProviderKeysPage.tsx';

export const createDashboardRouter = () =>
  createBrowserRouter([
    { path: '/login', element: <SignInPage /> },
    {
      element: <AppLayout />,
      children: [
        { index: true, element: <HomeRedirect /> },
        { path: 'orgs/:orgId', element: <OverviewPage /> },
        { path: 'orgs/:orgId/projects', element: <ProjectsPage /> },
        { path: 'orgs/:orgId/projects/:projectId/keys', element: <ApiKeysPage /> },
        { path: 'orgs/:orgId/members', element: <MembersPage /> },
        { path: 'orgs/:orgId/provider-keys', element: <ProviderKeysPage /> },
        { path: 'orgs/:orgId/admin-tokens', element: <AdminTokensPage /> },
        { path: 'orgs/:orgId/audit', element: <AuditLogPage /> },
        { path: 'orgs/:orgId/guardrail-violations', element: <GuardrailEventsPage /> },
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ]);
