/**
 * Helpers for the tenant-isolation suite (test/isolation.test.ts):
 *
 * - which kind of id every path parameter, query field and body field of a route carries, read from
 *   the route's zod schemas, so a route added later is probed without anyone listing it, and a
 *   route with an id the suite does not know how to fill FAILS instead of being skipped;
 * - request templates with id placeholders, filled with one org's ids, another org's, or ids that
 *   exist nowhere;
 * - a tenant built with the real code (bootstrap, the management api, the gateway), and the list of
 *   everything that identifies it, to grep for in what another tenant is told.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { stringify } from 'yaml';
import { z } from 'zod';
import type { ApiRoute } from '../../src/api/registry.js';
import { pathParameterNames } from '../../src/api/registry.js';
import { applyBootstrap } from '../../src/bootstrap/apply.js';
import { parseBootstrapText } from '../../src/bootstrap/document.js';
import { members, projects, providerKeys, requestLogs, users } from '../../src/db/schema/index.js';
import { findOrganizationId } from '../../src/tenancy/organizations.js';
import { createInvitation } from '../../src/tenancy/invitations.js';
import type { FakeUpstream } from '../fakes/fake-upstream.js';
import type { FakeOpenAI } from '../fakes/openai.js';
import { apiClient, operatorCtx, type ApiClient, type IssuedKeyBody, type IssuedTokenBody } from './api.js';
import { operatorCreateToken } from '../../src/admin/credential-operations.js';
import { uniqueName } from './database.js';
import type { TestServer } from './server.js';

// ---------------------------------------------------------------------------------------------
// Which ids a route carries

export const ID_KINDS = ['org', 'project', 'apiKey', 'adminToken', 'providerKey', 'member', 'user', 'invitation', 'requestLog'] as const;
export type IdKind = (typeof ID_KINDS)[number];

/** Path parameters and body/query fields, by name, and the kind of id they carry. */
export const NAMED_ID_KINDS: Readonly<Record<string, IdKind>> = {
  orgId: 'org',
  projectId: 'project',
  projectIds: 'project',
  keyId: 'apiKey',
  apiKeyId: 'apiKey',
  apiKeyIds: 'apiKey',
  tokenId: 'adminToken',
  adminTokenId: 'adminToken',
  providerKeyId: 'providerKey',
  providerKeyIds: 'providerKey',
  memberId: 'member',
  memberIds: 'member',
  ownerMemberId: 'member',
  userId: 'user',
  invitationId: 'invitation',
  requestLogId: 'requestLog',
};

/** A generic `:id` path parameter takes its kind from the collection before it (`/provider-keys/:id`). */
export const COLLECTION_ID_KINDS: Readonly<Record<string, IdKind>> = {
  orgs: 'org',
  projects: 'project',
  'api-keys': 'apiKey',
  'admin-tokens': 'adminToken',
  'provider-keys': 'providerKey',
  members: 'member',
  users: 'user',
  invitations: 'invitation',
  'request-logs': 'requestLog',
};

/** A field name that says "I hold an id" (`id`, `…Id`, `…Ids`). */
export const ID_FIELD_NAME = /^(id|ids|[a-z][A-Za-z0-9]*Ids?)$/;
/**
 * Fields named like ids that name no tenant resource. `requestId` is a trace string a client may
 * choose itself (`x-request-id`), so two orgs can share one; as a filter it only matches the
 * caller's own rows (RLS), and an empty answer says nothing about any other org. The audit log's
 * `actorId` and `targetId` filters are free text for the same reason (`cli@host`, a user id
 * shared by the orgs the user belongs to, ids of any kind of target).
 */
const NOT_ID_FIELDS: ReadonlySet<string> = new Set(['requestId', 'actorId', 'targetId']);

export type PathParam = { name: string; kind: IdKind };

/** The kind of every path parameter of a route; throws on one the suite cannot fill. */
export function pathParams(route: ApiRoute): PathParam[] {
  const segments = route.path.split('/');
  return pathParameterNames(route.path).map((name) => {
    let kind = NAMED_ID_KINDS[name];
    if (kind === undefined && name === 'id') {
      const before = segments[segments.indexOf(`:${name}`) - 1];
      kind = before === undefined ? undefined : COLLECTION_ID_KINDS[before];
    }
    if (kind === undefined)
      throw new Error(
        `${route.operationId} (${route.method.toUpperCase()} ${route.path}): the isolation suite does not know which id the path parameter :${name} carries; add it to NAMED_ID_KINDS or COLLECTION_ID_KINDS in test/support/isolation.ts`,
      );
    return { name, kind };
  });
}

/** Strips optional/nullable/default/pipe/readonly wrappers. */
type AnySchema = z.core.$ZodType;

function unwrap(schema: AnySchema): AnySchema {
  let current: AnySchema = schema;
  for (let depth = 0; depth < 20; depth++) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodNullable || current instanceof z.ZodReadonly)
      current = current.unwrap();
    else if (current instanceof z.ZodDefault || current instanceof z.ZodPrefault) current = current.unwrap();
    else if (current instanceof z.ZodPipe) current = current.in;
    else return current;
  }
  return current;
}

/** A ZodObject's fields, typed as schemas (its `shape` is a generic record). */
function shapeOf(object: z.ZodObject): Record<string, AnySchema> {
  return object.shape;
}

function isUuidSchema(schema: AnySchema): boolean {
  const inner = unwrap(schema);
  return inner instanceof z.ZodStringFormat && (inner.format === 'uuid' || inner.format === 'guid');
}

function isOptional(schema: AnySchema): boolean {
  return schema instanceof z.ZodOptional || schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault;
}

/**
 * Paths (`["projectIds", "[]"]`, `["owner", "memberId"]`) of every field of a query or body schema
 * that carries an id: by name, or because it is a UUID (or a list of them).
 */
export function idFieldPaths(schema: AnySchema | undefined): string[][] {
  const found: string[][] = [];
  const visit = (node: AnySchema, path: string[], name: string | undefined) => {
    const inner = unwrap(node);
    if (inner instanceof z.ZodObject) {
      for (const [key, child] of Object.entries(shapeOf(inner))) visit(child, [...path, key], key);
      return;
    }
    if (inner instanceof z.ZodArray) {
      const element: AnySchema = inner.element;
      if (isUuidSchema(element) || (name !== undefined && ID_FIELD_NAME.test(name) && !(unwrap(element) instanceof z.ZodObject))) {
        found.push([...path, '[]']);
        return;
      }
      visit(element, [...path, '[]'], undefined);
      return;
    }
    if (isUuidSchema(inner) || (name !== undefined && ID_FIELD_NAME.test(name) && !NOT_ID_FIELDS.has(name))) found.push(path);
  };
  if (schema) visit(schema, [], undefined);
  return found;
}

// ---------------------------------------------------------------------------------------------
// Templates: JSON with id placeholders

export class IdRef {
  constructor(readonly kind: IdKind) {}
}
export const ref = (kind: IdKind): IdRef => new IdRef(kind);

/** A body or query with IdRef placeholders where ids go. */
export type Template = IdRef | string | number | boolean | null | readonly Template[] | { readonly [key: string]: Template };

function isRecord(value: unknown): value is Record<string, Template> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof IdRef);
}

/** Placeholders in traversal order, with their paths (`[]` for an array element). */
export function placeholders(template: Template | undefined): { ref: IdRef; path: string[] }[] {
  const out: { ref: IdRef; path: string[] }[] = [];
  const visit = (node: Template, path: string[]) => {
    if (node instanceof IdRef) out.push({ ref: node, path });
    else if (Array.isArray(node)) for (const item of node as readonly Template[]) visit(item, [...path, '[]']);
    else if (isRecord(node)) for (const [key, child] of Object.entries(node)) visit(child, [...path, key]);
  };
  if (template !== undefined) visit(template, []);
  return out;
}

/** The template with each placeholder replaced by `choose(placeholder, its index)`. */
export function fill(template: Template | undefined, choose: (ref: IdRef, index: number) => string): unknown {
  let index = 0;
  const visit = (node: Template): unknown => {
    if (node instanceof IdRef) return choose(node, index++);
    if (Array.isArray(node)) return (node as readonly Template[]).map(visit);
    if (isRecord(node)) return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, visit(child)]));
    return node;
  };
  return template === undefined ? undefined : visit(template);
}

const FUTURE = new Date(Date.now() + 30 * 24 * 3600_000).toISOString();

/**
 * A valid value for a schema, with an IdRef for every id-bearing field (optional ones included:
 * they are what the suite probes). Undefined when the schema uses something this does not know
 * (the suite then asks for an explicit template).
 */
export function generateTemplate(schema: AnySchema, name?: string): Template | undefined {
  const accepted = (candidates: Template[]): Template | undefined =>
    candidates.find(
      (candidate) =>
        z.safeParse(
          schema,
          fill(candidate, () => randomUUID()),
        ).success,
    );
  const kindOf = (field: string | undefined) => (field === undefined ? undefined : NAMED_ID_KINDS[field]);
  const inner = unwrap(schema);
  if (isUuidSchema(inner)) {
    const kind = kindOf(name);
    return kind === undefined ? undefined : ref(kind);
  }
  if (inner instanceof z.ZodObject) {
    const out: Record<string, Template> = {};
    for (const [key, child] of Object.entries(shapeOf(inner))) {
      const carriesId = idFieldPaths(child).length > 0 || (ID_FIELD_NAME.test(key) && isUuidSchema(child));
      if (isOptional(child) && !carriesId) continue;
      const value = generateTemplate(child, key);
      if (value === undefined) return undefined;
      out[key] = value;
    }
    return accepted([out]);
  }
  if (inner instanceof z.ZodArray) {
    const element = generateTemplate(inner.element, name);
    if (element === undefined) return accepted([[]]);
    return element instanceof IdRef ? accepted([[element], [element, element]]) : accepted([[], [element], [element, element]]);
  }
  if (inner instanceof z.ZodStringFormat) {
    const samples: Record<string, string> = {
      url: 'https://isolation.example.com/hook',
      email: 'someone@isolation.example.com',
      datetime: FUTURE,
    };
    const sample = inner.format === null ? undefined : samples[inner.format];
    return sample === undefined ? undefined : accepted([sample]);
  }
  if (inner instanceof z.ZodString) return accepted(['x', 'isolation-probe', 'x'.repeat(inner.minLength ?? 1)]);
  if (inner instanceof z.ZodEnum) return accepted(inner.options.map((option) => String(option)));
  if (inner instanceof z.ZodLiteral) {
    const [value] = inner.values;
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : undefined;
  }
  if (inner instanceof z.ZodNumber) {
    const min = inner.minValue ?? 0;
    return accepted([Number.isFinite(min) ? min : 0, Number.isFinite(min) ? min + 1 : 1, 1, 0]);
  }
  if (inner instanceof z.ZodBoolean) return false;
  if (inner instanceof z.ZodRecord) return accepted([{}]);
  if (inner instanceof z.ZodUnion) {
    for (const option of inner.options as readonly AnySchema[]) {
      const value = generateTemplate(option, name);
      if (value !== undefined) return value;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// What identifies a tenant

export type Fingerprint = { label: string; value: string };

/** Labels of the fingerprints found in `text`. Comparison is case-insensitive (ids may be upper-cased). */
export function leaksIn(text: string, fingerprints: readonly Fingerprint[]): string[] {
  const haystack = text.toLowerCase();
  return fingerprints.filter((f) => haystack.includes(f.value.toLowerCase())).map((f) => `${f.label} (${f.value})`);
}

/** A response as text, headers included. */
export function responseText(response: { headers: Headers; text: string }): string {
  return `${JSON.stringify([...response.headers])}\n${response.text}`;
}

// ---------------------------------------------------------------------------------------------
// A tenant, built with the real code

export type TenantFakes = { openai: FakeOpenAI; anthropic?: { fake: FakeUpstream; apiKey: string } };

export type Tenant = {
  tag: string;
  orgId: string;
  orgName: string;
  /** Ids by kind; the first of each is the "primary" one. */
  ids: Record<IdKind, string[]>;
  liveProjectId: string;
  testProjectId: string;
  ownerToken: string;
  asOwner: ApiClient;
  liveKey: IssuedKeyBody;
  testKey: IssuedKeyBody;
  personalKey: IssuedKeyBody;
  adminTokens: IssuedTokenBody[];
  /** An alias only this tenant has. */
  ownAlias: string;
  /** Everything that identifies this tenant: must never reach another tenant. */
  fingerprints: Fingerprint[];
};

export type TenantSpec = {
  tag: string;
  fakes: TenantFakes;
  /** Alias names and targets of both projects. */
  aliases: Record<string, string[]>;
  /** The alias (a key of `aliases`) only this tenant has. */
  ownAlias: string;
  /** The chat model the tenant's gateway requests use (so request logs exist). */
  model: string;
};

/**
 * A provider secret whose last 4 characters say "tenant X" (`Q<X>z9`): fixed, so finding them in
 * another tenant's response is never a coincidence of random text.
 */
export function providerSecret(tag: string, base: string): string {
  return `${base}-${tag}-${randomUUID().replace(/-/g, '').slice(0, 12)}Q${tag.toUpperCase().slice(0, 1)}z9`;
}

export async function buildTenant(server: TestServer, spec: TenantSpec): Promise<Tenant> {
  const marker = `${spec.tag}${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const orgName = uniqueName(`iso-org-${spec.tag}`);
  const liveName = `proj-${marker}-live`;
  const testName = `proj-${marker}-test`;
  const ownerEmail = `owner-${marker}@${marker}.example.com`;
  const devEmail = `dev-${marker}@${marker}.example.com`;
  const { openai, anthropic } = spec.fakes;
  const providerKeyDocs = [
    { provider: 'openai', key: openai.apiKey, baseUrl: openai.baseUrl, label: `pk-${marker}-openai` },
    ...(anthropic ? [{ provider: 'anthropic', key: anthropic.apiKey, baseUrl: anthropic.fake.url, label: `pk-${marker}-anthropic` }] : []),
  ];
  const doc = {
    orgs: [
      {
        name: orgName,
        plan: 'enterprise',
        members: [
          { email: ownerEmail, role: 'owner' },
          { email: devEmail, role: 'developer' },
        ],
        providerKeys: providerKeyDocs,
        projects: [
          {
            name: liveName,
            // Bodies stored, so that the request-log body route has something of this tenant's to show.
            settings: { cache: { enabled: true, ttlSeconds: 600 }, aliases: spec.aliases, logBodies: true },
            providerKeys: [{ provider: 'openai', key: openai.apiKey, baseUrl: openai.baseUrl, label: `pk-${marker}-scoped` }],
          },
          { name: testName, mode: 'test', settings: { cache: { enabled: true, ttlSeconds: 600 }, aliases: spec.aliases } },
        ],
      },
    ],
  };
  await applyBootstrap(parseBootstrapText(stringify(doc), 'isolation.yaml'), {
    db: server.runtime.apiDb,
    keyring: server.runtime.keyring,
    ctx: operatorCtx,
  });
  const orgId = (await findOrganizationId(server.runtime.apiDb, orgName))!;
  await server.runtime.bus.publish({ type: 'org.changed', orgId });

  const rows = await server.runtime.apiDb.withTenant(orgId, async (tx) => ({
    projects: await tx.select({ id: projects.id, name: projects.name }).from(projects),
    members: await tx.select({ id: members.id, userId: members.userId, role: members.role }).from(members),
    providerKeys: await tx
      .select({ id: providerKeys.id, label: providerKeys.label, last4: providerKeys.last4, baseUrl: providerKeys.baseUrl })
      .from(providerKeys),
  }));
  const liveProjectId = rows.projects.find((p) => p.name === liveName)!.id;
  const testProjectId = rows.projects.find((p) => p.name === testName)!.id;
  const owner = rows.members.find((m) => m.role === 'owner')!;
  const dev = rows.members.find((m) => m.role === 'developer')!;

  const ownerToken = (
    await operatorCreateToken(
      { db: server.runtime.apiDb, bus: server.runtime.bus, logger: server.runtime.logger },
      { org: orgName, name: `owner-${marker}`, role: 'owner' },
      operatorCtx,
    )
  ).token;
  const asOwner = apiClient(server, ownerToken);
  const ok = <T>(response: { status: number; body: T; text: string }, what: string): T => {
    if (response.status >= 300) throw new Error(`${what} for tenant ${spec.tag}: ${response.status} ${response.text}`);
    return response.body;
  };
  const liveKey = ok(
    await asOwner.post<IssuedKeyBody>(`/api/orgs/${orgId}/projects/${liveProjectId}/api-keys`, { name: `key-${marker}-live` }),
    'live key',
  );
  const testKey = ok(
    await asOwner.post<IssuedKeyBody>(`/api/orgs/${orgId}/projects/${testProjectId}/api-keys`, { name: `key-${marker}-test` }),
    'test key',
  );
  const personalKey = ok(
    await asOwner.post<IssuedKeyBody>(`/api/orgs/${orgId}/projects/${liveProjectId}/api-keys`, {
      name: `key-${marker}-personal`,
      ownerMemberId: dev.id,
      limits: { usage: [{ metric: 'requests', period: 'daily', limit: 1000 }] },
    }),
    'personal key',
  );
  const adminTokens = [
    ok(await asOwner.post<IssuedTokenBody>(`/api/orgs/${orgId}/admin-tokens`, { name: `tok-${marker}-viewer`, role: 'viewer' }), 'token'),
    ok(await asOwner.post<IssuedTokenBody>(`/api/orgs/${orgId}/admin-tokens`, { name: `tok-${marker}-dev`, role: 'developer' }), 'token'),
  ];
  ok(
    await asOwner.put(`/api/orgs/${orgId}/limits`, {
      usage: [{ metric: 'spend_usd', period: 'monthly', limit: 4321.5, alertThresholds: [50, 90] }],
      rate: { requestsPerMinute: 9876 },
    }),
    'org limits',
  );
  ok(
    await asOwner.put(`/api/orgs/${orgId}/projects/${liveProjectId}/limits`, {
      usage: [{ metric: 'tokens', period: 'daily', limit: 777_777 }],
    }),
    'limits',
  );
  const webhook = ok(
    await asOwner.put<{ url: string; secret: string }>(`/api/orgs/${orgId}/budget-webhook`, {
      url: `https://hooks-${marker}.example.com/portcullis`,
    }),
    'budget webhook',
  );

  // Request logs: one request per key, written by the gateway's batched writer.
  for (const key of [liveKey, testKey]) {
    const response = await fetch(`${server.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: spec.model, messages: [{ role: 'user', content: `warm-up ${marker}` }] }),
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`gateway warm-up for tenant ${spec.tag}: ${response.status} ${text}`);
  }
  const deadline = Date.now() + 20_000;
  let requestLogIds: string[];
  for (;;) {
    const logged = await server.runtime.apiDb.withTenant(orgId, (tx) =>
      tx.select({ id: requestLogs.id, projectId: requestLogs.projectId }).from(requestLogs).where(eq(requestLogs.orgId, orgId)),
    );
    // The live project's first: its body is stored.
    requestLogIds = logged.sort((x, y) => Number(y.projectId === liveProjectId) - Number(x.projectId === liveProjectId)).map((l) => l.id);
    if (logged.length >= 2) break;
    if (Date.now() > deadline) throw new Error(`request logs of tenant ${spec.tag} were not written`);
    await new Promise((r) => setTimeout(r, 50));
  }

  const userRows = await server.runtime.apiDb.withRole((tx) => tx.select({ id: users.id, email: users.email }).from(users));
  const userIds = userRows.filter((u) => u.email === ownerEmail || u.email === devEmail).map((u) => u.id);
  const ownAlias = spec.ownAlias;
  const invitation = await server.runtime.apiDb.withTenant(orgId, (tx) =>
    createInvitation(tx, { orgId, email: `invitee-${marker}@${marker}.example.com`, role: 'viewer', invitedBy: null }, operatorCtx),
  );

  const ids: Record<IdKind, string[]> = {
    org: [orgId],
    project: [liveProjectId, testProjectId],
    apiKey: [liveKey.apiKey.id, testKey.apiKey.id, personalKey.apiKey.id],
    adminToken: adminTokens.map((t) => t.adminToken.id),
    providerKey: rows.providerKeys.map((k) => k.id),
    member: [owner.id, dev.id],
    user: userIds,
    invitation: [invitation.invitation.id],
    requestLog: requestLogIds,
  };
  const fp = (label: string, value: string | null | undefined): Fingerprint[] => (value ? [{ label, value }] : []);
  const lookupOf = (masked: string) => masked.split('_')[2] ?? '';
  const fingerprints: Fingerprint[] = [
    ...fp('org id', orgId),
    ...fp('org name', orgName),
    ...fp('marker', marker),
    ...ids.project.map((id) => ({ label: 'project id', value: id })),
    ...ids.apiKey.map((id) => ({ label: 'api key id', value: id })),
    ...ids.adminToken.map((id) => ({ label: 'admin token id', value: id })),
    ...ids.providerKey.map((id) => ({ label: 'provider key id', value: id })),
    ...ids.member.map((id) => ({ label: 'member id', value: id })),
    ...ids.user.map((id) => ({ label: 'user id', value: id })),
    ...ids.invitation.map((id) => ({ label: 'invitation id', value: id })),
    ...ids.requestLog.map((id) => ({ label: 'request log id', value: id })),
    { label: 'email', value: invitation.invitation.email },
    ...[liveName, testName].map((value) => ({ label: 'project name', value })),
    ...[ownerEmail, devEmail].map((value) => ({ label: 'email', value })),
    ...[liveKey, testKey, personalKey].flatMap((k) => [
      { label: 'api key', value: k.key },
      { label: 'api key lookup id', value: lookupOf(k.apiKey.maskedKey) },
      { label: 'api key last4', value: `…${k.apiKey.last4}` },
      { label: 'api key last4', value: `"${k.apiKey.last4}"` },
      { label: 'api key name', value: k.apiKey.name },
    ]),
    ...adminTokens.flatMap((t) => [
      { label: 'admin token', value: t.token },
      { label: 'admin token lookup id', value: lookupOf(t.token) },
      { label: 'admin token name', value: t.adminToken.name },
    ]),
    { label: 'owner token', value: ownerToken },
    ...rows.providerKeys.flatMap((k) => [
      { label: 'provider key label', value: k.label },
      { label: 'provider key last4', value: `"${k.last4}"` },
      ...fp('provider base URL', k.baseUrl ? new URL(k.baseUrl).host : null),
    ]),
    ...providerKeyDocs.map((k) => ({ label: 'provider secret', value: k.key })),
    ...fp('budget webhook host', new URL(webhook.url).host),
    ...fp('budget webhook secret', webhook.secret),
    ...fp('own alias', ownAlias),
  ];
  return {
    tag: spec.tag,
    orgId,
    orgName,
    ids,
    liveProjectId,
    testProjectId,
    ownerToken,
    asOwner,
    liveKey,
    testKey,
    personalKey,
    adminTokens,
    ownAlias,
    fingerprints,
  };
}
