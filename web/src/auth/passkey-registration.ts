/**
 * Adding a passkey to the signed-in account (WebAuthn registration) through better-auth's passkey
 * plugin: the same ceremony as the standalone /sign-in page. The server chooses every option
 * (resident key, user verification required, attestation none) and verifies the answer; this file
 * converts between its base64url JSON and the browser's ArrayBuffers.
 */
import { z } from 'zod/mini';
import { request } from '../api/client.ts';
import { fromBase64Url, toBase64Url } from './passkey.ts';

const descriptorSchema = z.object({ id: z.string(), type: z.literal('public-key'), transports: z.optional(z.array(z.string())) });

const registerOptionsSchema = z.object({
  challenge: z.string(),
  rp: z.object({ name: z.string(), id: z.optional(z.string()) }),
  user: z.object({ id: z.string(), name: z.string(), displayName: z.string() }),
  pubKeyCredParams: z.array(z.object({ type: z.literal('public-key'), alg: z.number() })),
  timeout: z.optional(z.number()),
  excludeCredentials: z.optional(z.array(descriptorSchema)),
  authenticatorSelection: z.optional(
    z.object({
      authenticatorAttachment: z.optional(z.enum(['platform', 'cross-platform'])),
      residentKey: z.optional(z.enum(['discouraged', 'preferred', 'required'])),
      requireResidentKey: z.optional(z.boolean()),
      userVerification: z.optional(z.enum(['discouraged', 'preferred', 'required'])),
    }),
  ),
  attestation: z.optional(z.enum(['none', 'indirect', 'direct', 'enterprise'])),
});

/** Runs the ceremony and stores the new passkey under `name`; throws (ApiError or DOMException) when either side refuses. */
export async function registerPasskey(name: string): Promise<void> {
  const options = await request('GET', '/api/auth/passkey/generate-register-options', registerOptionsSchema);
  const credential = await navigator.credentials.create({
    publicKey: {
      challenge: fromBase64Url(options.challenge),
      rp: options.rp,
      user: { ...options.user, id: fromBase64Url(options.user.id) },
      pubKeyCredParams: options.pubKeyCredParams,
      timeout: options.timeout,
      excludeCredentials: (options.excludeCredentials ?? []).map((c) => ({
        type: c.type,
        id: fromBase64Url(c.id),
        transports: c.transports as AuthenticatorTransport[] | undefined,
      })),
      authenticatorSelection: options.authenticatorSelection,
      attestation: options.attestation,
    },
  });
  if (!(credential instanceof PublicKeyCredential) || !(credential.response instanceof AuthenticatorAttestationResponse)) {
    throw new Error('No passkey was created.');
  }
  const attestation = credential.response;
  const response = {
    id: credential.id,
    rawId: toBase64Url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
    response: {
      clientDataJSON: toBase64Url(attestation.clientDataJSON),
      attestationObject: toBase64Url(attestation.attestationObject),
      transports: attestation.getTransports(),
    },
  };
  await request('POST', '/api/auth/passkey/verify-registration', z.unknown(), { body: { response, name } });
}
