import { api, describeError } from './api.js';
import { add, badge, field, h, select, table, timeEl } from './dom.js';

/** API tokens (admin): who may call the API with which role; a new secret is shown once, here only. */
export async function tokensView(ctx) {
  add(ctx.section, h('h1', null, 'API tokens'));
  if (!ctx.can('admin')) {
    add(ctx.section, h('p', { class: 'hint' }, 'Managing tokens needs the admin role.'));
    return;
  }
  const name = h('input', { name: 'name', type: 'text', required: true, maxlength: '64', pattern: '[A-Za-z0-9][A-Za-z0-9 ._@\\-]{0,63}', autocomplete: 'off' });
  const role = select('role', [['viewer', 'viewer'], ['auditor', 'auditor'], ['admin', 'admin']], 'viewer');
  const principal = h('input', { name: 'principal', type: 'text', maxlength: '64', pattern: '[A-Za-z0-9][A-Za-z0-9 ._@\\-]{0,63}', autocomplete: 'off' });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const created = h('div', { class: 'secret', hidden: true, role: 'status' });
  const form = h('form', { class: 'filters', 'aria-label': 'Create a token' },
    field('Name', name, 'who or what uses it; shown in audit trails'), field('Role', role),
    field('Acts for', principal, 'the person it is for; empty: you. Approvals need a token acting for someone other than the requester'),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Create token')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    try {
      const body = { name: name.value.trim(), role: role.value };
      if (principal.value.trim()) body.principal = principal.value.trim();
      const r = await api('/tokens', { method: 'POST', body });
      // Rendered before the list reloads and kept out of the URL and storage: this is the only time it is shown.
      created.replaceChildren(
        h('p', null, `Token ${r.token.name} (${r.token.role}, acting for ${r.token.principal}) created. Copy its secret now; it is not shown again:`),
        h('code', { class: 'secret-value', 'aria-label': `Secret of ${r.token.name}` }, r.secret));
      created.hidden = false;
      name.value = '';
      principal.value = '';
      await renderList(ctx, list);
    } catch (err) {
      error.textContent = describeError(err);
      error.hidden = false;
    }
  });
  const list = h('div');
  add(ctx.section, form, error, created, list);
  await renderList(ctx, list);
}

async function renderList(ctx, container) {
  const tokens = (await api('/tokens')).items;
  const rows = tokens.map((t) => h('tr', null,
    h('th', { scope: 'row' }, t.name, ctx.me && ctx.me.id === t.id ? ' (you)' : ''),
    h('td', null, t.role),
    h('td', null, t.principal),
    h('td', null, timeEl(t.createdAt)),
    h('td', null, t.lastUsedAt ? timeEl(t.lastUsedAt) : '—'),
    h('td', null, t.revokedAt ? badge('revoked', 'x-revoked') : badge('active', 'x-approved')),
    h('td', null, t.revokedAt ? null : revokeButton(ctx, t, container))));
  container.replaceChildren(table(null, ['Name', 'Role', 'Acts for', 'Created', 'Last used', 'State', ''], rows, { class: 'tokens' }));
}

function revokeButton(ctx, t, container) {
  const own = !!ctx.me && ctx.me.id === t.id;
  const b = h('button', { type: 'button', class: 'danger small', 'aria-label': `Revoke token ${t.name}` }, 'Revoke');
  b.addEventListener('click', async () => {
    // Revoking the token in use ends this session at once (and may remove the last admin token).
    if (own && !window.confirm(`Token ${t.name} is the one you are signed in with. Revoking it signs you out of this dashboard now. Revoke it?`)) return;
    b.disabled = true;
    try {
      await api(`/tokens/${encodeURIComponent(t.id)}`, { method: 'DELETE' });
      ctx.notify(`Token ${t.name} revoked.`, 'ok');
      await renderList(ctx, container);
    } catch (err) {
      b.disabled = false;
      ctx.fail(err);
    }
  });
  return b;
}
