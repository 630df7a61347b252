// Invitation link: `${PUBLIC_URL}/invite#token=…`. Accepted with POST /api/invitations/accept,
// as the signed-in user (GET /api/me answers 200) or as a new user with a name and password.
// The token is kept in sessionStorage (this tab only) while the visitor signs in first, so
// coming back to /invite finds it; it is dropped once used or refused.
import { $, api, ApiError, busy, commonMessage, newPasswordProblem, showError, showSection, takeFragmentToken } from './common.js';

const PENDING = 'portcullis.pendingInvitation';
const SECTIONS = ['loading', 'no-token', 'signed-in', 'new-account', 'done'];

const fromLink = takeFragmentToken();
if (fromLink) sessionStorage.setItem(PENDING, fromLink);
const token = fromLink ?? sessionStorage.getItem(PENDING);

const ROLES = { owner: 'an owner', admin: 'an administrator', developer: 'a developer', viewer: 'a viewer' };

function describe(error) {
  if (!(error instanceof ApiError)) return commonMessage(error);
  switch (error.code) {
    case 'invitation_invalid':
      return 'This invitation has expired, was withdrawn or was already used. Ask whoever invited you to send a new one.';
    case 'invitation_email_mismatch':
      return 'This invitation was sent to a different email address than the account you are signed in with. Sign out, then open the invitation again to use the invited address.';
    case 'already_member':
      return 'You are already a member of this organization: there is nothing to accept.';
    case 'sign_in_required':
      return 'An account already uses the invited email address. Sign in with it first, then come back to this invitation.';
    case 'too_many_attempts':
      return 'Too many invitation attempts from your address. Wait 15 minutes, then try again.';
    default:
      // password_* (the password policy) and validation errors are written for the user.
      return commonMessage(error);
  }
}

function finished(text) {
  sessionStorage.removeItem(PENDING);
  $('done-text').textContent = text;
  showSection('done', SECTIONS);
}

/** Shows the error; an invitation that can never work is forgotten, so the page stops offering it. */
function failed(error) {
  if (error instanceof ApiError && (error.code === 'invitation_invalid' || error.code === 'already_member')) {
    sessionStorage.removeItem(PENDING);
    for (const id of ['signed-in', 'new-account']) $(id).hidden = true;
  }
  return describe(error);
}

async function start() {
  if (!token) return showSection('no-token', SECTIONS);
  let me = null;
  try {
    me = await api('GET', '/api/me');
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) showError(commonMessage(error));
  }
  if (me?.user?.email) {
    $('me-email').textContent = me.user.email;
    showSection('signed-in', SECTIONS);
  } else {
    showSection('new-account', SECTIONS);
  }
}

$('accept-signed-in').addEventListener('click', (event) => {
  void busy(
    event.currentTarget,
    async () => {
      const result = await api('POST', '/api/invitations/accept', { token });
      finished(`You are now ${ROLES[result.role] ?? result.role} of the organization that invited you.`);
    },
    failed,
  );
});

$('accept-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const data = Object.fromEntries(new FormData(form));
  if (!data.name.trim()) return showError('Enter your name.');
  const problem = newPasswordProblem(data.password, data.confirm);
  if (problem) return showError(problem);
  void busy(
    form.querySelector('button'),
    async () => {
      const result = await api('POST', '/api/invitations/accept', { token, name: data.name.trim(), password: data.password });
      form.reset();
      finished(
        `Your account is ready and you are now ${ROLES[result.role] ?? result.role} of the organization that invited you. ` +
          'Sign in with the invited email address and your new password.',
      );
    },
    failed,
  );
});

void start();
