// Sign-in page: email + password, or a passkey (WebAuthn). The browser performs the ceremony;
// the server (better-auth's passkey plugin) verifies it. This file only converts between the
// JSON options/responses (base64url strings) and the ArrayBuffers the WebAuthn API uses.
const CSRF = { 'x-portcullis-csrf': '1' };
const $ = (id) => document.getElementById(id);
const errorBox = $('error');
const statusBox = $('status');

function showError(message) {
  statusBox.hidden = true;
  errorBox.textContent = message;
  errorBox.hidden = false;
}
function showStatus(message) {
  errorBox.hidden = true;
  statusBox.textContent = message;
  statusBox.hidden = false;
}
function clearMessages() {
  errorBox.hidden = true;
  statusBox.hidden = true;
}

class ApiError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** JSON call with the anti-CSRF header; Portcullis errors are `{ error: { message } }`, better-auth's `{ message }`. */
async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { ...CSRF, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    const message = parsed?.error?.message ?? parsed?.message ?? `Request failed (HTTP ${response.status}).`;
    throw new ApiError(response.status, message, parsed?.error?.code ?? parsed?.code ?? '');
  }
  return parsed;
}

// base64url <-> bytes
function fromBase64Url(value) {
  const base64 = value.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (value.length % 4)) % 4);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}
function toBase64Url(buffer) {
  let binary = '';
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
const descriptors = (list) => (list ?? []).map((c) => ({ ...c, id: fromBase64Url(c.id) }));

/** Why a ceremony failed, in words (the browser's DOMException names are terse). */
function ceremonyMessage(error) {
  if (error instanceof ApiError) return error.message;
  if (error?.name === 'NotAllowedError')
    return 'The passkey was not used: the request was cancelled, timed out or your device did not verify you.';
  if (error?.name === 'InvalidStateError') return 'This authenticator already holds a passkey for your account.';
  if (error?.name === 'SecurityError') return 'Passkeys are not allowed on this address (check WEBAUTHN_RP_ID and WEBAUTHN_ORIGINS).';
  return error?.message || 'Something went wrong.';
}

async function registerPasskey(name) {
  const options = await api('GET', '/api/auth/passkey/generate-register-options');
  const credential = await navigator.credentials.create({
    publicKey: {
      ...options,
      challenge: fromBase64Url(options.challenge),
      user: { ...options.user, id: fromBase64Url(options.user.id) },
      excludeCredentials: descriptors(options.excludeCredentials),
    },
  });
  const response = {
    id: credential.id,
    rawId: toBase64Url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
    response: {
      clientDataJSON: toBase64Url(credential.response.clientDataJSON),
      attestationObject: toBase64Url(credential.response.attestationObject),
      transports: credential.response.getTransports?.() ?? [],
    },
  };
  return api('POST', '/api/auth/passkey/verify-registration', { response, name });
}

async function authenticateWithPasskey() {
  const options = await api('GET', '/api/auth/passkey/generate-authenticate-options');
  const credential = await navigator.credentials.get({
    publicKey: {
      ...options,
      challenge: fromBase64Url(options.challenge),
      allowCredentials: descriptors(options.allowCredentials),
      // The server refuses an assertion without user verification whatever is asked here.
      userVerification: 'required',
    },
  });
  const response = {
    id: credential.id,
    rawId: toBase64Url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
    response: {
      clientDataJSON: toBase64Url(credential.response.clientDataJSON),
      authenticatorData: toBase64Url(credential.response.authenticatorData),
      signature: toBase64Url(credential.response.signature),
      userHandle: credential.response.userHandle ? toBase64Url(credential.response.userHandle) : undefined,
    },
  };
  return api('POST', '/api/auth/passkey/verify-authentication', { response });
}

function formatDate(value) {
  return value ? new Date(value).toLocaleString() : 'never';
}

async function renderPasskeys() {
  const { passkeys } = await api('GET', '/api/me/passkeys');
  const list = $('passkey-list');
  list.replaceChildren(
    ...passkeys.map((passkey) => {
      const item = document.createElement('li');
      item.dataset.passkeyId = passkey.id;
      const label = document.createElement('span');
      label.className = 'passkey-name';
      label.textContent = passkey.name ?? '(unnamed passkey)';
      const used = document.createElement('span');
      used.className = 'hint';
      used.textContent = `last used: ${formatDate(passkey.lastUsedAt)}`;
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'secondary';
      remove.textContent = 'Remove';
      remove.addEventListener('click', async () => {
        try {
          await api('DELETE', `/api/me/passkeys/${encodeURIComponent(passkey.id)}`);
          showStatus('Passkey removed.');
          await renderPasskeys();
        } catch (error) {
          showError(ceremonyMessage(error));
        }
      });
      item.append(label, used, remove);
      return item;
    }),
  );
  $('no-passkeys').hidden = passkeys.length > 0;
}

async function showAccount() {
  try {
    const me = await api('GET', '/api/me');
    $('account-email').textContent = me.user.email;
    $('sign-in').hidden = true;
    $('two-factor').hidden = true;
    $('account').hidden = false;
    // Set by /invite when the visitor chose to sign in before accepting (this tab only).
    $('pending-invitation').hidden = !sessionStorage.getItem('portcullis.pendingInvitation');
    await renderPasskeys();
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) showError(ceremonyMessage(error));
    $('account').hidden = true;
    $('sign-in').hidden = false;
  }
}

async function busy(button, task) {
  button.disabled = true;
  clearMessages();
  try {
    await task();
  } catch (error) {
    showError(ceremonyMessage(error));
  } finally {
    button.disabled = false;
  }
}

$('password-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const data = Object.fromEntries(new FormData(form));
  void busy(form.querySelector('button'), async () => {
    const result = await api('POST', '/api/auth/sign-in/email', { email: data.email, password: data.password });
    form.reset();
    if (result?.twoFactorRequired) return showTwoFactor();
    await showAccount();
  });
});

// Second step of a password sign-in for an account with two-factor on: the password answered
// `{ twoFactorRequired: true }` with a short-lived challenge cookie; a TOTP code (or a backup
// code) turns it into a session.
function showTwoFactor(useBackupCode = false) {
  $('sign-in').hidden = true;
  $('two-factor').hidden = false;
  $('totp-form').hidden = useBackupCode;
  $('use-backup-code').hidden = useBackupCode;
  $('backup-code-form').hidden = !useBackupCode;
  $('use-totp').hidden = !useBackupCode;
  $(useBackupCode ? 'backup-code' : 'totp-code').focus();
}

function twoFactorMessage(error, method) {
  if (!(error instanceof ApiError)) return ceremonyMessage(error);
  if (error.status === 429 || error.code === 'TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE' || error.code === 'ACCOUNT_TEMPORARILY_LOCKED')
    return 'Too many wrong codes. Wait a few minutes, then sign in with your password again.';
  if (error.code === 'CODE_ALREADY_USED')
    return 'That code was already used. Each code works once: wait for the next one from your authenticator app.';
  if (error.code === 'INVALID_TWO_FACTOR_COOKIE' || error.code === 'UNAUTHORIZED')
    return 'This sign-in took too long. Cancel and sign in with your password again.';
  if (error.status === 401 || error.status === 400)
    return method === 'totp'
      ? 'That code is not right. Enter the current 6-digit code from your authenticator app (check that the time on your device is correct).'
      : 'That backup code is not valid or was already used.';
  return error.message;
}

function verifySecondFactor(form, method) {
  const code = String(new FormData(form).get('code')).replace(/\s+/g, '');
  if (method === 'totp' && !/^[0-9]{6}$/.test(code)) return showError('Enter the 6-digit code from your authenticator app.');
  if (!code) return showError('Enter one of your backup codes.');
  const button = form.querySelector('button');
  button.disabled = true;
  clearMessages();
  const path = method === 'totp' ? '/api/auth/two-factor/verify-totp' : '/api/auth/two-factor/verify-backup-code';
  api('POST', path, { code })
    .then(async () => {
      form.reset();
      await showAccount();
    })
    .catch((error) => {
      showError(twoFactorMessage(error, method));
      form.querySelector('input').select();
    })
    .finally(() => {
      button.disabled = false;
    });
}

$('totp-form').addEventListener('submit', (event) => {
  event.preventDefault();
  verifySecondFactor(event.currentTarget, 'totp');
});
$('backup-code-form').addEventListener('submit', (event) => {
  event.preventDefault();
  verifySecondFactor(event.currentTarget, 'backup_code');
});
$('use-backup-code').addEventListener('click', () => showTwoFactor(true));
$('use-totp').addEventListener('click', () => showTwoFactor(false));
$('cancel-two-factor').addEventListener('click', () => {
  $('two-factor').hidden = true;
  $('sign-in').hidden = false;
  clearMessages();
  $('email').focus();
});

$('passkey-sign-in').addEventListener('click', (event) => {
  if (!window.PublicKeyCredential) return showError('This browser does not support passkeys.');
  void busy(event.currentTarget, async () => {
    await authenticateWithPasskey();
    await showAccount();
  });
});

$('add-passkey-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const name = new FormData(form).get('name').trim();
  if (!name) return showError('Give the passkey a name, so you can tell your passkeys apart.');
  void busy(form.querySelector('button'), async () => {
    await registerPasskey(name);
    form.reset();
    await renderPasskeys();
    showStatus(`Passkey "${name}" added.`);
  });
});

$('sign-out').addEventListener('click', (event) => {
  void busy(event.currentTarget, async () => {
    await api('POST', '/api/auth/sign-out', {});
    $('account').hidden = true;
    $('sign-in').hidden = false;
    showStatus('Signed out.');
  });
});

// Sign-in providers (GitHub, Google, OIDC): one button each for the enabled ones. better-auth
// answers with the provider's authorization URL (state and PKCE kept server-side); failures come
// back to /sign-in/error, which explains them.
async function renderProviders() {
  const { providers } = await api('GET', '/api/auth/providers');
  const box = $('providers');
  for (const provider of providers) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = `Sign in with ${provider.label}`;
    button.addEventListener('click', () => {
      void busy(button, async () => {
        const { url } = await api('POST', '/api/auth/sign-in/social', {
          provider: provider.id,
          callbackURL: '/sign-in',
          errorCallbackURL: '/sign-in/error',
        });
        window.location.assign(url);
      });
    });
    box.append(button);
  }
}

void renderProviders().catch(() => undefined);
void showAccount();
