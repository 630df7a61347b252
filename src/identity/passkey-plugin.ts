/**
 * The passkey (WebAuthn) plugin as Portcullis configures it. Verification is @better-auth/passkey's
 * (SimpleWebAuthn underneath); Portcullis adds what the plugin leaves open:
 * - RP id and accepted origins from WEBAUTHN_RP_ID / WEBAUTHN_ORIGINS, never the request's Origin;
 * - user verification REQUIRED on both ceremonies. The plugin verifies with
 *   `requireUserVerification: false` and offers sign-in options with `userVerification:
 *   'preferred'`, so the UV flag of the signed authenticator data is checked here, after the
 *   signature verified and before the passkey is stored or a session created;
 * - discoverable credentials (resident keys) required at registration, attestation `none`
 *   (the plugin's fixed choice: no authenticator metadata is collected or trusted).
 */
import { passkey } from '@better-auth/passkey';
import { APIError } from 'better-auth/api';
import type { Config } from '../config/load.js';

export const USER_VERIFICATION_REQUIRED = 'USER_VERIFICATION_REQUIRED';

const uvRequired = (status: 'BAD_REQUEST' | 'UNAUTHORIZED') =>
  new APIError(status, {
    code: USER_VERIFICATION_REQUIRED,
    message: 'The authenticator did not verify you (PIN or biometrics). Passkeys must be used with user verification.',
  });

export function passkeyPlugin(webauthn: Config['webauthn']) {
  return passkey({
    rpID: webauthn.rpId,
    rpName: 'Portcullis',
    origin: [...webauthn.origins],
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
    registration: {
      afterVerification({ verification }) {
        if (verification.registrationInfo?.userVerified !== true) throw uvRequired('BAD_REQUEST');
      },
    },
    authentication: {
      afterVerification({ verification }) {
        if (verification.authenticationInfo.userVerified !== true) throw uvRequired('UNAUTHORIZED');
      },
    },
  });
}
