// Shared by the pages behind emailed links (/invite, /reset-password, /verify-email): the JSON
// call with the anti-CSRF header, the status and error boxes, and reading a token from the URL
// fragment. The fragment (#token=…) never reaches a server, log or Referer header; it is read
// once here and removed from the address bar at once.
const CSRF = { 'x-portcullis-csrf': '1' };

export const $ = (id) => document.getElementById(id);

export const MIN_PASSWORD_LENGTH = 16;

/** The token in `#token=…`, taken out of the address bar (and so out of history and screenshots). */
export function takeFragmentToken() {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (location.hash) history.replaceState(null, '', location.pathname);
  return token || null;
}

// A link opened in a tab already showing the page changes only the fragment, which loads
// nothing: start over so the page reads the new token.
window.addEventListener('hashchange', () => {
  if (new URLSearchParams(location.hash.slice(1)).has('token')) location.reload();
});

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** JSON call; Portcullis errors are `{ error: { code, message } }`, better-auth's `{ code, message }`. */
export async function api(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { ...CSRF, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network_error', 'Portcullis could not be reached. Check your connection and try again.');
  }
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    const code = parsed?.error?.code ?? parsed?.code ?? '';
    const message = parsed?.error?.message ?? parsed?.message ?? `Request failed (HTTP ${response.status}).`;
    throw new ApiError(response.status, code, message);
  }
  return parsed;
}

const errorBox = () => $('error');
const statusBox = () => $('status');

export function showError(message) {
  statusBox().hidden = true;
  errorBox().textContent = message;
  errorBox().hidden = false;
}
export function showStatus(message) {
  errorBox().hidden = true;
  statusBox().textContent = message;
  statusBox().hidden = false;
}
export function clearMessages() {
  errorBox().hidden = true;
  statusBox().hidden = true;
}

/** Shows exactly one of the page's sections and moves the focus to its heading (or first field). */
export function showSection(id, sectionIds) {
  for (const other of sectionIds) $(other).hidden = other !== id;
  const target = $(id).querySelector('input, h2');
  if (target) {
    if (target.tagName === 'H2') target.tabIndex = -1;
    target.focus();
  }
}

/** Runs a form's task with its submit button disabled; errors are shown in words by `describe`. */
export async function busy(button, task, describe) {
  button.disabled = true;
  clearMessages();
  try {
    await task();
  } catch (error) {
    showError(describe(error));
  } finally {
    button.disabled = false;
  }
}

/** The throttle answers every page shares. */
export function commonMessage(error) {
  if (!(error instanceof ApiError)) return error?.message || 'Something went wrong.';
  if (error.status === 429) return 'Too many attempts from your address. Wait a few minutes, then try again.';
  return error.message;
}

/** Client-side checks before a new password is sent (the server applies the full policy). */
export function newPasswordProblem(password, confirm) {
  if (Array.from(password).length < MIN_PASSWORD_LENGTH)
    return `The password is too short: use at least ${MIN_PASSWORD_LENGTH} characters (a few unrelated words work well).`;
  if (password !== confirm) return 'The two passwords differ.';
  return null;
}
