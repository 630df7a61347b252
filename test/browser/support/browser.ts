/**
 * Real-browser support: Debian's Chromium driven by playwright-core, and a CDP virtual
 * authenticator for passkey (WebAuthn) tests.
 *
 * playwright-core never downloads a browser (and `npx playwright install` cannot work here: the
 * machines reach no download host), so the browser is the system one: /usr/bin/chromium from
 * `apt-get install chromium`, or the path in PORTCULLIS_CHROMIUM.
 */
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Headless, as root (no sandbox), and quiet: without the background-networking flags Chromium
 * keeps trying hosts that a closed network refuses (or that fail to resolve) at every start.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

export function chromiumPath(): string {
  return process.env.PORTCULLIS_CHROMIUM || DEFAULT_CHROMIUM_PATH;
}

/**
 * Launches Chromium with a fresh, empty profile. Playwright makes one itself for every launch (a
 * new temporary --user-data-dir, deleted on close) and refuses a --user-data-dir in `args`.
 * Fails with a clear message when the binary is missing.
 */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}. The browser tests use the system Chromium: ` +
        "install Debian's chromium: apt-get install chromium (or set PORTCULLIS_CHROMIUM to a Chromium binary).",
    );
  }
  return chromium.launch({ executablePath, args: [...CHROMIUM_ARGS] });
}

export type VirtualAuthenticatorOptions = {
  /** Whether the authenticator reports the user as verified (biometrics/PIN passed). Default true. */
  isUserVerified?: boolean;
};

/** What the virtual authenticator holds for one credential (a subset of CDP's WebAuthn.Credential). */
export type VirtualCredential = {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  userHandle?: string;
  userName?: string;
  signCount: number;
};

export type VirtualAuthenticator = {
  authenticatorId: string;
  /** The credentials stored in the authenticator. */
  credentials(): Promise<VirtualCredential[]>;
  /** Makes later ceremonies pass (true) or fail (false) user verification. */
  setUserVerified(isUserVerified: boolean): Promise<void>;
  /** Removes the authenticator (and its credentials) and detaches the CDP session. */
  remove(): Promise<void>;
};

/**
 * Adds a CTAP2 platform authenticator ("internal" transport, resident keys, user verification)
 * to the page's browser through the DevTools protocol. Presence is simulated automatically, so
 * navigator.credentials.create/get resolve without a prompt.
 */
export async function withVirtualAuthenticator(page: Page, options: VirtualAuthenticatorOptions = {}): Promise<VirtualAuthenticator> {
  const session = await page.context().newCDPSession(page);
  await session.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await session.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: options.isUserVerified ?? true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    authenticatorId,
    async credentials() {
      const { credentials } = await session.send('WebAuthn.getCredentials', { authenticatorId });
      return credentials;
    },
    async setUserVerified(isUserVerified) {
      await session.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified });
    },
    async remove() {
      await session.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
      await session.detach();
    },
  };
}

/**
 * Collects the page's console messages and uncaught errors; `cspViolations()` are those that
 * report a Content Security Policy violation (a blocked script, style, frame or connection).
 */
export function watchConsole(page: Page): { messages: string[]; cspViolations(): string[] } {
  const messages: string[] = [];
  page.on('console', (message) => messages.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => messages.push(`pageerror: ${error.message}`));
  return { messages, cspViolations: () => messages.filter((line) => line.includes('Content Security Policy')) };
}

/** A free TCP port on 127.0.0.1: the server's PUBLIC_URL (CSRF origin, passkey RP id) must name its port before it starts. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
