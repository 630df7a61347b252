/** Data map of what the gateway writes (src/db/schema/logs.ts, guardrails.ts): request logs, stored bodies, guardrail policies and findings. */
import { guardrailEvents, guardrailPolicies, requestBodies, requestLogs } from '../../db/schema/index.js';
import type { ColumnEntry } from './types.js';
import { common, describeTable } from './describe.js';
import { REQUEST_LOG_RETENTION } from './retention-status.js';

const apiKeyId: ColumnEntry = {
  category: 'pseudonymous',
  personalData: true,
  description: 'The API key used; leads to a person when it is a member’s personal key.',
};
const requestId: ColumnEntry = {
  category: 'identifier',
  personalData: false,
  description: 'Random id of the gateway request (also in its response headers).',
};

export const gatewayTables = [
  describeTable(requestLogs, {
    purpose: 'One row per gateway request: usage, cost, limits, debugging and the usage dashboards. No prompt or answer content.',
    lawfulBasis: 'legitimate_interests',
    dataSubjects: ['account_holder'],
    retention: `${REQUEST_LOG_RETENTION} Rows outlive deleted keys, projects and orgs (no foreign keys, on purpose).`,
    columns: {
      id: common.rowId('log row'),
      org_id: common.orgId(),
      project_id: common.projectId(),
      api_key_id: apiKeyId,
      request_id: requestId,
      endpoint: common.operational('Which gateway endpoint was called.'),
      model: common.operational('The model the client asked for.'),
      served_model: common.operational('The model the provider reports having served.'),
      provider: common.operational('The provider that served it.'),
      attempts: common.operational('Upstream calls made, retries and fallbacks included.'),
      stream: common.operational('Whether the answer was streamed.'),
      status: common.operational('HTTP status returned.'),
      error_code: common.operational('Portcullis error code, if any.'),
      latency_ms: common.operational('Total latency.'),
      ttft_ms: common.operational('Time to first token (streams).'),
      input_tokens: common.operational('Input tokens billed.'),
      output_tokens: common.operational('Output tokens billed.'),
      cached_input_tokens: common.operational('Input tokens read from the provider’s prompt cache.'),
      cache_write_input_tokens: common.operational('Input tokens written to the provider’s prompt cache.'),
      reasoning_tokens: common.operational('Reasoning tokens.'),
      cost_micro_usd: common.operational('Cost in millionths of a US dollar.'),
      cache_status: common.operational('Response cache outcome: hit, miss, bypass or off.'),
      usage_counted: common.operational('Whether the request counts toward usage limits.'),
      usage_source: common.operational(
        'Who counted the tokens: provider (its usage report) or gateway (a stream cut before that report); null without usage.',
      ),
      created_at: common.createdAt(),
    },
  }),
  describeTable(requestBodies, {
    purpose: 'Request and response bodies, only for projects that turn body logging on (off by default): debugging and review by the org.',
    lawfulBasis: 'tenant_controller',
    dataSubjects: ['end_user'],
    retention: `${REQUEST_LOG_RETENTION} Deleting the org crypto-shreds them: its data keys are destroyed, so no copy made from then on decrypts (backups taken before still hold the wrapped keys).`,
    columns: {
      id: common.rowId('body row'),
      org_id: common.orgId(),
      request_log_id: { category: 'identifier', personalData: false, description: 'The request_logs row these bodies belong to.' },
      tenant_key_id: common.tenantKeyId(),
      request_ciphertext: {
        category: 'encrypted',
        personalData: true,
        description: 'The request body (prompts, after input guardrails), AES-256-GCM under the org’s data key (AAD: org id and row id).',
      },
      response_ciphertext: { category: 'encrypted', personalData: true, description: 'The response body, encrypted like the request.' },
      created_at: common.createdAt(),
    },
  }),
  describeTable(guardrailPolicies, {
    purpose: 'Guardrail policy of an org and per-project overrides (what to detect, and whether to flag, redact or block).',
    dataSubjects: [],
    retention: 'Until deleted, or the project or org is deleted (cascade).',
    columns: {
      id: common.rowId('policy'),
      org_id: common.orgId(),
      project_id: { category: 'identifier', personalData: false, description: 'The project it applies to; null for the org-wide policy.' },
      config: { category: 'tenant_content', personalData: false, description: 'Detectors, actions and custom patterns.' },
      version: common.operational('Bumped on every change; keys the response cache.'),
      created_at: common.createdAt(),
      updated_at: common.updatedAt(),
    },
  }),
  describeTable(guardrailEvents, {
    purpose: 'What a guardrail detector found in a request or response and what it did: never the matched text.',
    lawfulBasis: 'tenant_controller',
    dataSubjects: ['end_user', 'account_holder'],
    retention: `${REQUEST_LOG_RETENTION} Rows outlive deleted projects and orgs (no foreign keys).`,
    columns: {
      id: common.rowId('finding'),
      org_id: common.orgId(),
      project_id: common.projectId(),
      api_key_id: apiKeyId,
      request_id: requestId,
      direction: common.operational('input (request) or output (response).'),
      detector: common.operational('Which detector fired.'),
      finding_type: common.operational('What kind of value it found (email, card number, injection…).'),
      category: common.operational('Detector-specific category, if any.'),
      action: common.operational('What was done: flagged, redacted or blocked.'),
      location: common.operational('Value-free path of the text (`messages[1].content[0].text`).'),
      start_offset: common.operational('Start offset of the finding in that text.'),
      end_offset: common.operational('End offset of the finding in that text.'),
      value_hash: {
        category: 'pseudonymous',
        personalData: true,
        description:
          'HMAC-SHA256 of the matched text (which may be an email address, a card number…) under a per-org key derived from the instance secret: repeats correlate within the org, the value is not stored. Whoever holds the instance secret can confirm a guessed value.',
      },
      created_at: common.createdAt(),
    },
  }),
];
