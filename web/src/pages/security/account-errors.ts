/** The api's refusals on the Security page, in words a person can act on (the codes alone are terse). */
import { ApiError } from '../../api/client.ts';

const MESSAGES: Record<string, string> = {
  last_sign_in_method:
    'This is the last way into your account: it has no password and no other passkey. Add another passkey (or a password) first, then remove this one.',
  INVALID_PASSWORD: 'That password is not right. Enter the password you sign in with.',
  invalid_current_password: 'Your current password is not right, so the password was not changed.',
  INVALID_CODE: 'That code is not right. Enter the current 6-digit code from your authenticator app (check the time on your device).',
  password_account: 'Your account has a password: its two-factor backup codes are its recovery codes.',
  too_many_attempts: 'Too many attempts. Wait a few minutes, then try again.',
};

/** The error to show: a known code in words, otherwise the api's own message (already a sentence). */
export function accountErrorMessage(error: unknown): unknown {
  if (error instanceof ApiError) {
    const known = MESSAGES[error.code];
    if (known !== undefined) return new Error(known);
    if (error.status === 429) return new Error(MESSAGES.too_many_attempts);
  }
  return error;
}
