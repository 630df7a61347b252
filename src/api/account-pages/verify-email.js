// Email verification link: `${PUBLIC_URL}/verify-email#token=…`. Posted once, on load, to
// POST /api/auth/verify-email { token }: 200 { verified: true }, or 400 `invalid_token` for a
// link that is unknown, used or expired.
import { api, ApiError, commonMessage, showError, showSection, showStatus, takeFragmentToken } from './common.js';

const SECTIONS = ['done', 'failed'];

function describe(error) {
  if (error instanceof ApiError && error.code === 'invalid_token')
    return 'This verification link is not valid: it has expired, was already used or is incomplete.';
  if (error instanceof ApiError && error.status === 429) return 'Too many attempts. Wait a few minutes, then open the link again.';
  return commonMessage(error);
}

async function verify() {
  const token = takeFragmentToken();
  if (!token) {
    showError('This verification link is incomplete. Open the link from the email again, in full.');
    return showSection('failed', SECTIONS);
  }
  try {
    const result = await api('POST', '/api/auth/verify-email', { token });
    if (result?.verified !== true) throw new Error('The verification could not be confirmed. Try the link again.');
    showStatus('Your email address is verified.');
    showSection('done', SECTIONS);
  } catch (error) {
    showError(describe(error));
    showSection('failed', SECTIONS);
  }
}

void verify();
