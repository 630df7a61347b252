/**
 * Outgoing email for the identity flows (invitations, email verification, password reset, security
 * notices). Three modes, chosen once at startup:
 *
 * - `smtp`: an SMTP URL is configured; mails go out through nodemailer, one connection per mail
 *   (the volume is a few mails per user action, not worth a pool of idle connections).
 * - `log`: development without SMTP. Nothing is sent; the mail's text and links go to the logger
 *   so a developer can click the link. Those links carry single-use tokens, which is why this
 *   mode never runs in production. Note that the log scrubber redacts `?token=` query values and
 *   JWT-shaped strings even here, so such links arrive as `[REDACTED]`; links with the token in
 *   the path survive.
 * - `disabled`: production without SMTP. `send` throws EmailNotConfiguredError so the caller can
 *   answer "email is not configured on this instance" instead of pretending a mail went out.
 *
 * Transport security is nodemailer's default, on purpose, so existing relays keep working:
 * - `smtps://host` uses TLS from the first byte (port 465 unless given), certificate verified.
 * - `smtp://host` (port 587 unless given) must upgrade with STARTTLS, certificate verified: a
 *   relay that does not offer it is refused, since an attacker on the path could strip the offer
 *   and read the password. Only a loopback relay (a local MTA or sidecar) may talk in clear.
 *
 * The URL holds the SMTP password: it is never logged, and errors are rebuilt from nodemailer's so
 * that neither the URL nor the password can reach a log line or an HTTP response.
 */
import { createRequire } from 'node:module';
import type * as Nodemailer from 'nodemailer';
import type { NodemailerError } from 'nodemailer';
import type { Logger } from '../logging/logger.js';
import { REDACTED } from '../logging/redacted.js';
import { registerSecret, scrubSecrets } from '../logging/secret-registry.js';
import { EmailDeliveryError, EmailNotConfiguredError } from './errors.js';
import { extractLinks } from './links.js';

export { EmailDeliveryError, EmailNotConfiguredError } from './errors.js';

// nodemailer (~2.4 MB of heap) is required only when SMTP is configured: every process creates a
// mailer, but only the api sends mail, and a gateway replica should not hold it.
const loadNodemailer = (): typeof Nodemailer => createRequire(import.meta.url)('nodemailer') as typeof Nodemailer;

export type OutgoingMail = {
  /** One address; lists are refused so a crafted address cannot add recipients. */
  to: string;
  subject: string;
  text: string;
  html: string;
};

export type MailerMode = 'smtp' | 'log' | 'disabled';

export interface Mailer {
  readonly mode: MailerMode;
  /** Resolves once the SMTP server accepted the mail (or it was logged, in development). */
  send(message: OutgoingMail): Promise<void>;
  /** Refuses further sends and waits for the ones in flight. */
  close(): Promise<void>;
}

export type CreateMailerOptions = {
  smtpUrl?: string | undefined;
  /** Sender, e.g. `Portcullis <noreply@example.com>`. */
  from: string;
  production: boolean;
  logger: Logger;
  /**
   * Limit for each phase (DNS, connect + greeting, each wait for the server). The whole send is
   * capped at three times this, so a server that trickles bytes cannot hold a request either.
   */
  timeoutMs?: number;
};

const DEFAULT_TIMEOUT_MS = 10_000;

const INVALID_URL = 'the SMTP URL must look like smtp://user:password@host:587 or smtps://user:password@host:465';

// Not the whole address grammar (quoted local parts are refused): enough to guarantee exactly one
// recipient, since nodemailer would read "a@x, b@y" or "A <a@x>" as address lists.
const SINGLE_ADDRESS = /^[^\s@,;:<>()[\]"\\]+@[^\s@,;:<>()[\]"\\]+$/;

type SmtpTarget = { host: string; port: string; secure: boolean; secrets: string[] };

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function parseSmtpUrl(smtpUrl: string): SmtpTarget {
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    throw new TypeError(INVALID_URL); // the message must not echo the URL: it holds the password
  }
  if ((url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || url.hostname === '') throw new TypeError(INVALID_URL);
  const secure = url.protocol === 'smtps:';
  const secrets = [smtpUrl, url.password, safeDecode(url.password)].filter((value) => value.length > 0);
  return { host: url.hostname, port: url.port || (secure ? '465' : '587'), secure, secrets };
}

function removeSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(REDACTED);
  return scrubSecrets(out);
}

function deliveryError(err: unknown, secrets: readonly string[], timedOut: boolean, totalMs: number): EmailDeliveryError {
  if (timedOut) return new EmailDeliveryError(`email delivery timed out after ${totalMs} ms`, { code: 'ETIMEDOUT' });
  const source: Partial<NodemailerError> = typeof err === 'object' && err !== null ? err : {};
  const message = err instanceof Error ? err.message : String(err);
  return new EmailDeliveryError(`email delivery failed: ${removeSecrets(message, secrets)}`, {
    code: typeof source.code === 'string' ? source.code : 'ESEND',
    responseCode: source.responseCode,
    permanent: source.permanent,
  });
}

/** A relay on this machine: the only place an SMTP session may stay in clear. */
function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

function checkMessage(message: OutgoingMail): void {
  if (!SINGLE_ADDRESS.test(message.to)) throw new TypeError('the recipient must be a single plain email address');
}

function smtpMailer(smtpUrl: string, from: string, logger: Logger, timeoutMs: number): Mailer {
  const target = parseSmtpUrl(smtpUrl);
  // The password (8+ characters) is scrubbed from every log line from now on, whoever logs it.
  for (const secret of target.secrets) registerSecret(secret);
  const transporter = loadNodemailer().createTransport({
    url: smtpUrl,
    requireTLS: !target.secure && !isLoopbackHost(target.host),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    // Explicit, because nodemailer's debug output includes the AUTH exchange (base64 credentials).
    logger: false,
    debug: false,
  });
  const totalMs = timeoutMs * 3;
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;
  logger.info(
    {
      smtpHost: target.host,
      smtpPort: target.port,
      smtpTls: target.secure ? 'implicit' : isLoopbackHost(target.host) ? 'starttls-if-offered (loopback)' : 'starttls-required',
    },
    'email: sending through SMTP',
  );

  async function deliver(message: OutgoingMail): Promise<void> {
    const signal = AbortSignal.timeout(totalMs);
    try {
      await transporter.sendMail({
        from,
        to: message.to,
        subject: message.subject.replace(/[\r\n]+/g, ' '),
        text: message.text,
        html: message.html,
        // RFC 3834: tells mail servers and clients not to send vacation auto-replies to us.
        headers: { 'Auto-Submitted': 'auto-generated' },
        signal,
      });
    } catch (err) {
      throw deliveryError(err, target.secrets, signal.aborted, totalMs);
    }
  }

  return {
    mode: 'smtp',
    async send(message) {
      if (closed) throw new Error('the mailer is closed');
      checkMessage(message);
      const delivery = deliver(message);
      inFlight.add(delivery);
      try {
        await delivery;
      } finally {
        inFlight.delete(delivery);
      }
    },
    async close() {
      closed = true;
      await Promise.allSettled([...inFlight]);
      transporter.close();
    },
  };
}

function logMailer(logger: Logger): Mailer {
  logger.warn('email: no SMTP URL configured; mails are written to this log instead of being sent (development only)');
  return {
    mode: 'log',
    send(message) {
      checkMessage(message);
      logger.info(
        { to: message.to, subject: message.subject, links: extractLinks(message.text), text: message.text },
        'email not sent (no SMTP URL configured); its content follows',
      );
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}

function disabledMailer(logger: Logger): Mailer {
  logger.warn('email: no SMTP URL configured; invitations, email verification and password reset mails cannot be sent');
  return {
    mode: 'disabled',
    send: () => Promise.reject(new EmailNotConfiguredError()),
    close: () => Promise.resolve(),
  };
}

export function createMailer(options: CreateMailerOptions): Mailer {
  const smtpUrl = options.smtpUrl?.trim();
  if (smtpUrl) {
    if (options.from.trim() === '') throw new TypeError('a sender address is required to send email');
    return smtpMailer(smtpUrl, options.from, options.logger, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  }
  return options.production ? disabledMailer(options.logger) : logMailer(options.logger);
}
