// Sign-in form: checks the user name and password against GET /api/v1/me and opens the page for the user's role.
import { ApiError, signIn } from '../api.js';
import { el, heading, message, show } from '../dom.js';

export function render(main, params) {
  const feedback = el('div', { id: 'login-feedback' });
  const user = el('input', { id: 'login-user', name: 'username', autocomplete: 'username', required: true });
  const password = el('input', { id: 'login-password', name: 'password', type: 'password',
    autocomplete: 'current-password', required: true });
  const submit = el('button', { type: 'submit', id: 'login-submit' }, 'Sign in');
  const form = el('form', { class: 'login', novalidate: true, onsubmit: async event => {
    event.preventDefault();
    if (!user.value || !password.value) {
      show(feedback, message('error', 'Enter your user name and password.'));
      (user.value ? password : user).focus();
      return;
    }
    submit.disabled = true;
    show(feedback, message('info', 'Signing in…'));
    try {
      await signIn(user.value.trim(), password.value);
      location.hash = '#/';
    } catch (error) {
      submit.disabled = false;
      show(feedback, message('error', explain(error)));
      password.select();
      password.focus();
    }
  } },
  el('div', { class: 'field' }, el('label', { for: 'login-user' }, 'User name'), user),
  el('div', { class: 'field' }, el('label', { for: 'login-password' }, 'Password'), password),
  submit, feedback);
  show(main, heading('Sign in'),
    params.get('expired') ? message('info', 'Your sign-in is no longer accepted; please sign in again.') : null,
    form);
  user.focus();
}

function explain(error) {
  if (!(error instanceof ApiError)) return 'The server cannot be reached. Try again in a moment.';
  switch (error.status) {
    case 401: return 'Wrong user name or password.';
    case 403: return 'This user has no Callflow role (agent, supervisor or administrator); ask an administrator.';
    case 429: return `Too many attempts. ${error.message}`;
    default: return `Sign-in failed: ${error.message}`;
  }
}
