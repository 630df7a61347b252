/**
 * The public `/api` routes besides `/api/auth/*` in the OpenAPI document (openapi-described.ts):
 * first-run setup (routes/setup.ts), accepting an invitation (invitation-accept.ts) and the
 * document itself (management.ts).
 */
import { z } from 'zod';
import { roleSchema } from '../auth/permissions.js';
import { setupRequestSchema } from '../setup/complete-setup.js';
import { ACCEPT_INVITATION_PATH, acceptSchema } from './invitation-accept.js';
import type { DescribedRoute } from './openapi-described.js';

export const OPENAPI_DOCUMENT_PATH = '/api/openapi.json';

export const PUBLIC_ROUTE_DESCRIPTIONS: readonly DescribedRoute[] = [
  {
    operationId: 'setupStatus',
    method: 'get',
    path: '/api/setup',
    tag: 'Setup',
    summary: 'Whether first-run setup is still needed',
    auth: 'none',
    responses: { 200: { description: 'True until the first instance administrator exists.', json: z.object({ required: z.boolean() }) } },
  },
  {
    operationId: 'completeSetup',
    method: 'post',
    path: '/api/setup',
    tag: 'Setup',
    summary: 'Create the first instance administrator',
    description:
      'With the one-time token from the setup link `portcullis start` prints while no administrator exists. Throttled per address (10 a minute). The password policy applies (400 `weak_password`); a used, expired or wrong token answers 410 `setup_link_invalid`.',
    auth: 'none',
    body: setupRequestSchema,
    responses: {
      201: {
        description: 'The administrator was created; sign in with the password.',
        json: z.object({ user: z.object({ id: z.string(), email: z.string(), name: z.string() }) }),
      },
    },
    errors: [400, 410, 429],
  },
  {
    operationId: 'acceptInvitation',
    method: 'post',
    path: ACCEPT_INVITATION_PATH,
    tag: 'Invitations',
    summary: 'Accept an invitation',
    description:
      'Signed in with the invited address: adds the membership (403 `invitation_email_mismatch` for another address). Otherwise `name` and `password` create the account (email verified by the link) and the membership, in one step. An expired, revoked, used or unknown token answers 410 `invitation_invalid`; 409 `already_member` or `sign_in_required` (an account with this email exists). Throttled per address.',
    auth: 'optionalSession',
    body: acceptSchema,
    responses: {
      201: {
        description: 'The membership was added.',
        json: z.object({ orgId: z.string(), role: roleSchema, userCreated: z.boolean() }),
        setsCookie: true,
      },
    },
    errors: [400, 403, 409, 410, 429],
  },
  {
    operationId: 'getOpenApiDocument',
    method: 'get',
    path: OPENAPI_DOCUMENT_PATH,
    tag: 'Meta',
    summary: 'This OpenAPI 3.1 document',
    auth: 'none',
    responses: { 200: { description: 'The document.', json: z.looseObject({ openapi: z.literal('3.1.0') }) } },
  },
];
