import type { ApiDeps } from '../deps.js';
import type { ApiRoute } from '../registry.js';
import { accessReviewRoutes } from './access-review.js';
import { adminTokenRoutes } from './admin-tokens.js';
import { auditRoutes } from './audit.js';
import { retentionRoutes } from './retention.js';
import { securityAlertRoutes } from './security-alerts.js';
import { apiKeyRoutes } from './api-keys.js';
import { limitRoutes } from './limits.js';
import { memberRoutes } from './members.js';
import { budgetWebhookRoutes } from './budget-webhook.js';
import { guardrailEventRoutes } from './guardrail-events.js';
import { guardrailRoutes } from './guardrails.js';
import { orgSecurityRoutes } from './org-security.js';
import { orgExportRoutes } from './org-export.js';
import { orgRoutes } from './orgs.js';
import { projectRoutes } from './projects.js';
import { projectSettingsRoutes } from './project-settings.js';
import { providerKeyRoutes } from './provider-keys.js';
import { requestLogRoutes } from './request-logs.js';
import { modelRoutes } from './models.js';
import { playgroundRoutes } from './playground.js';
import { usageRoutes } from './usage.js';
import { usageTimeseriesRoutes } from './usage-timeseries.js';

/** Every management route, in the order the OpenAPI document lists them. */
export function managementRoutes(deps: ApiDeps): ApiRoute[] {
  return [
    ...orgRoutes(deps),
    ...orgExportRoutes(deps),
    ...memberRoutes(deps),
    ...projectRoutes(deps),
    ...projectSettingsRoutes(deps),
    ...apiKeyRoutes(deps),
    ...providerKeyRoutes(deps),
    ...adminTokenRoutes(deps),
    ...usageRoutes(deps),
    ...usageTimeseriesRoutes(deps),
    ...requestLogRoutes(deps),
    ...modelRoutes(deps),
    ...playgroundRoutes(deps),
    ...limitRoutes(deps),
    ...budgetWebhookRoutes(deps),
    ...orgSecurityRoutes(deps),
    ...guardrailRoutes(deps),
    ...guardrailEventRoutes(deps),
    ...auditRoutes(deps),
    ...accessReviewRoutes(deps),
    ...retentionRoutes(deps),
    ...securityAlertRoutes(deps),
  ];
}
