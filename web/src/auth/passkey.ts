/**
 * Passkey sign-in (WebAuthn) through better-auth's passkey plugin at /api/auth/passkey/*: the same
 * flow as the standalone sign-in page. The browser performs the ceremony and the server verifies
 * it; this file only converts between the JSON options (base64url strings) and the ArrayBuffers
 * the WebAuthn API takes and returns.
 */
import { z } from 'zod/mini';
import { ApiError, request } from '../api/client.ts';

export function fromBase64Url(value: string): Uint8Array<ArrayBuffer> {
  const base64 = value.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (value.length % 4)) % 4);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

export function toBase64Url(buffer: ArrayBuffer): string {
  let binary = '';
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const descriptorSchema = z.object({ id: z.string(), type: z.literal('public-key'), transports: z.optional(z.array(z.string())) });

const authenticateOptionsSchema = z.looseObject({
  challenge: z.string(),
  timeout: z.optional(z.number()),
  rpId: z.optional(z.string()),
  allowCredentials: z.optional(z.array(descriptorSchema)),
});

export function passkeysSupported(): boolean {
  return typeof window.PublicKeyCredential === 'function' && navigator.credentials !== undefined;
}

/** Signs in with a discoverable passkey (no email asked); the session cookie is set by the verify call. */
export async function signInWithPasskey(): Promise<void> {
  const options = await request('GET', '/api/auth/passkey/generate-authenticate-options', authenticateOptionsSchema);
  const credential = await navigator.credentials.get({
    publicKey: {
      challenge: fromBase64Url(options.challenge),
      timeout: options.timeout,
      rpId: options.rpId,
      allowCredentials: (options.allowCredentials ?? []).map((c) => ({
        type: c.type,
        id: fromBase64Url(c.id),
        transports: c.transports as AuthenticatorTransport[] | undefined,
      })),
      // The server refuses an assertion without user verification whatever is asked here.
      userVerification: 'required',
    },
  });
  if (!(credential instanceof PublicKeyCredential) || !(credential.response instanceof AuthenticatorAssertionResponse)) {
    throw new Error('No passkey was chosen.');
  }
  const assertion = credential.response;
  const response = {
    id: credential.id,
    rawId: toBase64Url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
    response: {
      clientDataJSON: toBase64Url(assertion.clientDataJSON),
      authenticatorData: toBase64Url(assertion.authenticatorData),
      signature: toBase64Url(assertion.signature),
      userHandle: assertion.userHandle ? toBase64Url(assertion.userHandle) : undefined,
    },
  };
  await request('POST', '/api/auth/passkey/verify-authentication', z.unknown(), { body: { response } });
}

/** Why a ceremony failed, in words (the browser's DOMException names are terse). */
export function passkeyErrorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof DOMException) {
    if (error.name === 'NotAllowedError')
      return 'The passkey was not used: the request was cancelled, timed out or your device did not verify you.';
    if (error.name === 'InvalidStateError') return 'This authenticator already holds a passkey for your account.';
    if (error.name === 'SecurityError') return 'Passkeys are not allowed on this address (check WEBAUTHN_RP_ID and WEBAUTHN_ORIGINS).';
  }
  return error instanceof Error && error.message ? error.message : 'Signing in with a passkey failed. Try again.';
}
