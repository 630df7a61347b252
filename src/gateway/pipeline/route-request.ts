import { HttpError } from '../../http/errors.js';
import { findModel, providersOffering } from '../../providers/catalog/catalog.js';
import type { ProviderId } from '../../providers/ids.js';
import type { ProjectContext } from '../context/project-context.js';
import { resolveRoute, type RouteCandidate, type RouteOptions, type RoutingCatalog } from '../routing/resolve-route.js';
import type { GatewayServices } from '../services.js';
import { breakerKeyFor } from './attempts.js';

export const routingCatalog: RoutingCatalog = {
  providersOffering,
  find: (provider: ProviderId, model: string) => findModel(provider, model),
};

/** Resolves the client's model into candidates, or throws the 4xx that explains why not. */
export function routeOrThrow(
  model: string,
  context: ProjectContext,
  services: GatewayServices,
  options: Omit<RouteOptions, 'healthy'> = {},
): RouteCandidate[] {
  const result = resolveRoute(model, context, routingCatalog, {
    ...options,
    healthy: (c) => services.breakers.state(breakerKeyFor(c)) === 'closed',
  });
  if (result.ok) return result.candidates;
  const { refusal } = result;
  switch (refusal.kind) {
    case 'model_not_found':
      throw new HttpError(404, 'not_found_error', 'model_not_found', refusal.message);
    case 'model_not_allowed':
    case 'provider_not_allowed':
      throw new HttpError(403, 'permission_error', refusal.kind, refusal.message);
    case 'no_provider_key':
    case 'wrong_model_kind':
      throw new HttpError(400, 'invalid_request_error', refusal.kind, refusal.message);
  }
}
