/**
 * The webhook sink: POSTs `{"chain":…,"events":[…]}` (one chain, ascending seq) signed like the
 * budget-alert webhook: `x-portcullis-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
 * "<t>.<body>")>`. Any 2xx accepts the batch; anything else, a timeout or a refused connection
 * fails it and the worker retries the same batch later.
 *
 * Sent through the upstream HTTP client, so the URL gets the SSRF policy of provider URLs at
 * connect time as well (private and loopback addresses only when ALLOW_PRIVATE_PROVIDER_URLS),
 * and redirects are never followed.
 */
import { signWebhook } from '../../gateway/limits/budget-alerts.js';
import { UpstreamNetworkError } from '../../gateway/upstream/errors.js';
import type { UpstreamClient } from '../../gateway/upstream/http-client.js';
import { UnsafeUpstreamUrlError } from '../../gateway/upstream/ssrf.js';
import { SiemDeliveryError, type SiemSink } from './sink.js';

export type WebhookSinkOptions = {
  url: string;
  secret: string;
  upstream: UpstreamClient;
  now?: () => Date;
  timeoutMs?: number;
};

/** A short reason for the cursor and the log: never the URL's query, a body or a header. */
function failureReason(error: unknown): string {
  if (error instanceof UpstreamNetworkError) return `${error.kind}${error.code ? ` (${error.code})` : ''}`;
  if (error instanceof UnsafeUpstreamUrlError) return error.message;
  return error instanceof Error ? error.name : 'unknown error';
}

export function createWebhookSink(options: WebhookSinkOptions): SiemSink {
  const now = options.now ?? (() => new Date());
  return {
    name: 'webhook',
    async deliver(chain, events) {
      const body = JSON.stringify({ chain, events });
      let status: number;
      try {
        const response = await options.upstream.send(
          {
            url: options.url,
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-portcullis-signature': signWebhook(options.secret, body, now()) },
            body,
          },
          { timeoutMs: options.timeoutMs ?? 10_000 },
        );
        status = response.status;
        // Drained and dropped: a receiver's answer is never stored or logged.
        await response.body.text().catch(() => '');
      } catch (error) {
        throw new SiemDeliveryError(`webhook unreachable: ${failureReason(error)}`, { cause: error });
      }
      if (status < 200 || status >= 300) throw new SiemDeliveryError(`webhook answered ${status}`);
    },
  };
}
