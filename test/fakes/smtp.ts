/**
 * A loopback SMTP sink for tests: a real SMTP server (smtp-server) that accepts every mail, parses
 * it (mailparser) and keeps it in memory, so tests send through real nodemailer and read what a
 * recipient would get: the text and HTML parts, and the links in the text part.
 *
 * Deliberately lax: no TLS (STARTTLS is disabled, so nodemailer stays in clear text on loopback),
 * and authentication is optional and accepts any user name and password, so a URL with or
 * without credentials both work. `authUser` records the user name a client logged in with.
 */
import type { AddressInfo } from 'node:net';
import type { HeaderValue } from 'mailparser';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { extractLinks } from '../../src/email/links.js';

export type ReceivedMail = {
  /** Address in the From header. */
  from: string;
  /** Envelope recipients (RCPT TO): who the mail was actually delivered to. */
  to: string[];
  subject: string;
  text: string;
  /** The HTML part, or undefined when the mail had none. */
  html: string | undefined;
  /** http(s) URLs in the text part, in order. */
  links: string[];
  headers: Map<string, HeaderValue>;
  /** User name of the SMTP login, undefined when the client did not authenticate. */
  authUser: string | undefined;
};

export type FakeSmtp = {
  /** smtp://127.0.0.1:<port>, without credentials. */
  url: string;
  port: number;
  messages: ReceivedMail[];
  /** Resolves with the first mail (already received or arriving later) that matches. */
  waitFor(predicate?: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  stop(): Promise<void>;
};

export async function startFakeSmtp(): Promise<FakeSmtp> {
  const messages: ReceivedMail[] = [];
  const listeners = new Set<(mail: ReceivedMail) => void>();

  const server = new SMTPServer({
    authOptional: true,
    // Authentication over a clear-text connection is refused unless allowed; loopback only.
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    // An explicit false also silences the warning about smtp-server's built-in test certificate.
    logger: false,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const text = parsed.text ?? '';
          const mail: ReceivedMail = {
            from: parsed.from?.value[0]?.address ?? '',
            to: session.envelope.rcptTo.map((recipient) => recipient.address),
            subject: parsed.subject ?? '',
            text,
            html: typeof parsed.html === 'string' ? parsed.html : undefined,
            links: extractLinks(text),
            headers: parsed.headers,
            authUser: typeof session.user === 'string' ? session.user : undefined,
          };
          messages.push(mail);
          for (const listener of listeners) listener(mail);
          callback();
        })
        .catch((err: unknown) => callback(err instanceof Error ? err : new Error(String(err))));
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  function waitFor(predicate: (mail: ReceivedMail) => boolean = () => true, timeoutMs = 5_000): Promise<ReceivedMail> {
    const existing = messages.find(predicate);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const listener = (mail: ReceivedMail): void => {
        if (!predicate(mail)) return;
        clearTimeout(timer);
        listeners.delete(listener);
        resolve(mail);
      };
      const timer = setTimeout(() => {
        listeners.delete(listener);
        reject(new Error(`no matching mail within ${timeoutMs} ms (${messages.length} received)`));
      }, timeoutMs);
      listeners.add(listener);
    });
  }

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    waitFor,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
