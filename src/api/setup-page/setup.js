// The setup token travels in the URL fragment (#token=…), which browsers never send to a server,
// so it cannot end up in access logs or Referer headers. It is read here and posted once.
const token = new URLSearchParams(location.hash.slice(1)).get('token');
history.replaceState(null, '', location.pathname); // keep it out of history and screenshots

const form = document.getElementById('setup-form');
const error = document.getElementById('error');

function showError(message) {
  error.textContent = message;
  error.hidden = false;
}

if (!token) {
  form.hidden = true;
  document.getElementById('intro').textContent =
    'This page needs the one-time link printed by `portcullis start` in your terminal. Restart Portcullis to print a new one.';
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  const data = Object.fromEntries(new FormData(form));
  if (data.password !== data.confirm) return showError('The two passwords differ.');
  const button = form.querySelector('button');
  button.disabled = true;
  try {
    const response = await fetch('/api/setup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, name: data.name, email: data.email, password: data.password }),
    });
    if (response.ok) {
      form.hidden = true;
      document.getElementById('intro').hidden = true;
      document.getElementById('done').hidden = false;
      return;
    }
    const body = await response.json().catch(() => null);
    showError(body?.error?.message ?? `Setup failed (HTTP ${response.status}).`);
  } catch {
    showError('Portcullis could not be reached. Is it still running?');
  } finally {
    button.disabled = false;
  }
});
