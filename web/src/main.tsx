/** The dashboard's entry: data cache, routes, and the theme chosen before the first paint. */
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router';
import { ApiError, isUnauthorized } from './api/client.ts';
import { applyTheme, storedTheme } from './lib/theme.ts';
import { createDashboardRouter } from './routes.tsx';
import './styles/base.css';
import './styles/layout.css';
import './styles/components.css';
import './styles/charts.css';
import './styles/guardrails.css';
import './styles/request-logs.css';
import './styles/account.css';
import './styles/admin.css';
import './styles/playground.css';
import './styles/settings-edit.css';
import './styles/api-keys.css';

applyTheme(storedTheme());

const router = createDashboardRouter();

/** A session that ends (expired, revoked elsewhere) sends the person to sign in, whatever page asked. */
function onError(error: unknown) {
  // The pages for signed-out people (sign-in, sign-up) expect the 401 and stay.
  if (isUnauthorized(error) && !['/login', '/signup'].includes(window.location.pathname)) {
    queryClient.clear();
    void router.navigate('/login', { state: { from: window.location.pathname } });
  }
}

const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  mutationCache: new MutationCache({ onError }),
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // A refusal (4xx) will not change by asking again; a network blip or a 5xx may.
      retry: (failures, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failures < 2,
      refetchOnWindowFocus: false,
    },
  },
});

const root = document.getElementById('root');
if (root === null) throw new Error('The page has no #root element.');
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
