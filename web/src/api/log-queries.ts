/** Query hooks for the org's trails: audit events and chain head, guardrail events. Filters are part of each key. */
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { request, seg } from './client.ts';
import {
  auditEventPageSchema,
  auditHeadSchema,
  chainVerificationSchema,
  guardrailEventPageSchema,
  memberUsersSchema,
} from './log-schemas.ts';
import { queryString } from '../lib/query-string.ts';

/** One page per request: enough to scan, small enough to render at once. */
export const TRAIL_PAGE_SIZE = 50;

export type QueryParams = Readonly<Record<string, string | undefined>>;

export const logQueryKeys = {
  auditEvents: (orgId: string, filters: QueryParams, cursor: string | undefined) =>
    ['orgs', orgId, 'audit', 'events', filters, cursor] as const,
  auditHead: (orgId: string) => ['orgs', orgId, 'audit', 'head'] as const,
  memberUsers: (orgId: string) => ['orgs', orgId, 'members', 'by-user'] as const,
  guardrailEvents: (orgId: string, filters: QueryParams, cursor: string | undefined) =>
    ['orgs', orgId, 'guardrails', 'events', filters, cursor] as const,
};

/** The export's address (same filters as the list): a plain link downloads it with the session cookie. */
export const auditExportUrl = (orgId: string, filters: QueryParams, format: 'csv' | 'jsonl'): string =>
  `/api/orgs/${seg(orgId)}/audit/export${queryString({ ...filters, format })}`;

export const useAuditEvents = (orgId: string, filters: QueryParams, cursor: string | undefined) =>
  useQuery({
    queryKey: logQueryKeys.auditEvents(orgId, filters, cursor),
    queryFn: ({ signal }) =>
      request(
        'GET',
        `/api/orgs/${seg(orgId)}/audit/events${queryString({ ...filters, limit: String(TRAIL_PAGE_SIZE), before: cursor })}`,
        auditEventPageSchema,
        { signal },
      ),
    placeholderData: keepPreviousData,
  });

export const useAuditHead = (orgId: string) =>
  useQuery({
    queryKey: logQueryKeys.auditHead(orgId),
    queryFn: ({ signal }) => request('GET', `/api/orgs/${seg(orgId)}/audit/head`, auditHeadSchema, { signal }),
  });

/** Verifying reads the whole chain: run on request (a button), never on every visit. */
export const useVerifyAuditChain = (orgId: string) =>
  useMutation({
    mutationFn: () => request('GET', `/api/orgs/${seg(orgId)}/audit/verify`, chainVerificationSchema),
  });

export const useMemberEmails = (orgId: string) =>
  useQuery({
    queryKey: logQueryKeys.memberUsers(orgId),
    queryFn: ({ signal }) =>
      request('GET', `/api/orgs/${seg(orgId)}/members`, memberUsersSchema, { signal }).then(
        (r) => new Map(r.members.map((m) => [m.userId, m.email] as const)),
      ),
  });

export const useGuardrailEvents = (orgId: string, filters: QueryParams, cursor: string | undefined) =>
  useQuery({
    queryKey: logQueryKeys.guardrailEvents(orgId, filters, cursor),
    queryFn: ({ signal }) =>
      request(
        'GET',
        `/api/orgs/${seg(orgId)}/guardrails/events${queryString({ ...filters, limit: String(TRAIL_PAGE_SIZE), before: cursor })}`,
        guardrailEventPageSchema,
        { signal },
      ),
    placeholderData: keepPreviousData,
  });
