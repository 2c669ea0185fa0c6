import { api, clearToken, describeError, setToken } from './api.js';
import { add, h } from './dom.js';

/** Sign-in: a token (made with `palisade serve` tokens or POST /api/v1/tokens) checked against /me. */
export async function signInView(ctx) {
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true });
  const error = h('p', { class: 'form-error', id: 'signin-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h('form', { class: 'signin', 'aria-describedby': 'signin-help' },
    h('div', { class: 'field' }, h('label', { for: 'token' }, 'API token'), input),
    h('p', { id: 'signin-help', class: 'hint' }, 'The token stays in this browser tab only (session storage) and is sent to this server alone.'),
    error,
    submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    const token = input.value.trim();
    if (!token) return;
    submit.disabled = true;
    setToken(token);
    try {
      const me = await api('/me', { signIn: true });
      ctx.signedIn(me);
      ctx.navigate('#/');
    } catch (err) {
      clearToken();
      error.textContent = err.status === 401 ? 'Sign-in failed: the token was not accepted.' : `Sign-in failed: ${describeError(err)}`;
      error.hidden = false;
      input.select();
    } finally {
      submit.disabled = false;
    }
  });
  add(ctx.section, h('h1', null, 'Sign in'), form);
  input.focus();
}
