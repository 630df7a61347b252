// Password reset. With a link (`${PUBLIC_URL}/reset-password#token=…`): choose the new password,
// POST /api/auth/reset-password { token, newPassword }. Without one: "forgot password", which
// asks for a link with POST /api/auth/request-password-reset { email } (the same answer whether
// or not the account exists).
import {
  $,
  api,
  ApiError,
  busy,
  commonMessage,
  newPasswordProblem,
  showError,
  showSection,
  showStatus,
  takeFragmentToken,
} from './common.js';

const SECTIONS = ['request', 'reset', 'done'];
const token = takeFragmentToken();

function describe(error) {
  if (!(error instanceof ApiError)) return commonMessage(error);
  switch (error.code) {
    case 'reset_link_invalid':
      return 'This password reset link has expired or was already used. Ask for a new one below.';
    case 'email_not_configured':
      return 'This Portcullis cannot send email, so passwords cannot be reset by email. Ask your administrator.';
    case 'too_many_attempts':
      return 'Too many password reset attempts. Wait a few minutes, then try again.';
    default:
      // password_* and validation messages are written for the user.
      return commonMessage(error);
  }
}

$('request-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const email = String(new FormData(form).get('email')).trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) return showError('Enter the email address of your account.');
  void busy(
    form.querySelector('button'),
    async () => {
      const result = await api('POST', '/api/auth/request-password-reset', { email });
      form.reset();
      showStatus(result?.message ?? 'If an account uses this email address, a link to reset its password is on its way.');
    },
    describe,
  );
});

$('reset-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const data = Object.fromEntries(new FormData(form));
  const problem = newPasswordProblem(data.newPassword, data.confirm);
  if (problem) return showError(problem);
  void busy(
    form.querySelector('button'),
    async () => {
      const result = await api('POST', '/api/auth/reset-password', { token, newPassword: data.newPassword });
      form.reset();
      $('done-text').textContent = result?.message ?? 'Your password was changed. Sign in with it.';
      showSection('done', SECTIONS);
    },
    (error) => {
      // A dead link cannot be retried: offer to ask for a new one instead.
      if (error instanceof ApiError && error.code === 'reset_link_invalid') showSection('request', SECTIONS);
      return describe(error);
    },
  );
});

showSection(token ? 'reset' : 'request', SECTIONS);
