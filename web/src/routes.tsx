/** The dashboard's pages and their addresses. Every page but sign-in sits behind the signed-in layout. */
import { createBrowserRouter } from 'react-router';
import { SignInPage } from './auth/SignInPage.tsx';
import { AppLayout } from './layout/AppLayout.tsx';
import { HomeRedirect } from './layout/HomeRedirect.tsx';
import { ApiKeysPage } from './pages/ApiKeysPage.tsx';
import { MembersPage } from './pages/MembersPage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { OverviewPage } from './pages/OverviewPage.tsx';
import { ProjectsPage } from './pages/ProjectsPage.tsx';

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
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ]);
