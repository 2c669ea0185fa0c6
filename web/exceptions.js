import { api, describeError, query } from './api.js';
import { add, badge, field, h, routeHref, select, timeEl } from './dom.js';

const STATES = ['requested', 'approved', 'rejected', 'revoked', 'expired'];

/** Exceptions by state; auditors request, admins decide with a comment; every step is in the audit trail. */
export async function exceptionsView(ctx) {
  const state = ctx.params.get('state') ?? '';
  const stateSel = select('state', [['', 'all'], ...STATES.map((x) => [x, x])], state);
  stateSel.addEventListener('change', () => ctx.navigate(routeHref('exceptions', { state: stateSel.value })));

  add(ctx.section, h('h1', null, 'Exceptions'));
  if (ctx.can('auditor')) add(ctx.section, requestForm(ctx));
  else add(ctx.section, h('p', { class: 'hint' }, 'Requesting an exception needs the auditor role; deciding one needs admin.'));

  const list = await api(`/exceptions${query({ state })}`);
  add(ctx.section,
    h('h2', null, 'Exceptions'),
    h('form', { class: 'filters', onsubmit: (e) => e.preventDefault() }, field('State', stateSel)),
    h('p', { class: 'count-line' }, `${list.items.length} exception${list.items.length === 1 ? '' : 's'}`),
    list.items.length ? h('div', { class: 'exceptions' }, list.items.map((x) => exceptionCard(ctx, x))) : h('p', { class: 'empty' }, 'None.'));
}

function selectorText(sel) {
  const parts = [];
  if (sel.kind) parts.push(`kind ${sel.kind}`);
  if (sel.namespace) parts.push(`namespace ${sel.namespace}`);
  if (sel.name) parts.push(`name ${sel.name}`);
  if (sel.labels) parts.push(`labels ${Object.entries(sel.labels).map(([k, v]) => `${k}=${v}`).join(',')}`);
  return parts.join(', ') || 'any resource';
}

function exceptionCard(ctx, x) {
  const row = (term, ...value) => [h('dt', null, term), h('dd', null, ...value)];
  const card = h('article', { class: 'card exception', 'aria-label': `Exception ${x.id}` },
    h('h3', null, x.id, ' ', badge(x.state, `x-${x.state}`)),
    h('dl', { class: 'details' },
      row('Controls', x.controls.join(', ')),
      row('Resources', x.resources.map(selectorText).join('; ')),
      row('Justification', x.justification),
      row('Owner', x.owner),
      row('Expires', x.expires),
      row('Requested', `${actorText(x.requestedBy, x.requestedPrincipal)}, `, timeEl(x.requestedAt)),
      x.decidedBy ? row('Decided', `${x.decidedBy}, `, timeEl(x.decidedAt)) : null));

  if (ctx.can('admin')) {
    const actions = x.state === 'requested' ? ['approve', 'reject'] : x.state === 'approved' ? ['revoke'] : [];
    if (actions.length) {
      const comment = h('input', { name: 'comment', type: 'text', maxlength: '1000', autocomplete: 'off' });
      const buttons = actions.map((a) => h('button', { type: 'button', class: a === 'approve' ? '' : 'danger', 'data-action': a,
        onclick: () => decide(ctx, x, a, comment.value.trim(), buttons) }, `${a[0].toUpperCase()}${a.slice(1)}`));
      card.append(h('div', { class: 'decide' }, field(`Comment on ${x.id}`, comment), h('div', { class: 'actions' }, buttons)));
    }
  }

  // The audit trail is for auditors and admins (GET …/events needs auditor).
  if (!ctx.can('auditor')) return card;
  const trail = h('ol', { class: 'trail', hidden: true, 'aria-label': `Audit trail of ${x.id}` });
  const toggle = h('button', { type: 'button', class: 'secondary', 'aria-expanded': 'false' }, 'Show audit trail');
  toggle.addEventListener('click', async () => {
    if (toggle.getAttribute('aria-expanded') === 'true') {
      trail.hidden = true;
      toggle.setAttribute('aria-expanded', 'false');
      toggle.textContent = 'Show audit trail';
      return;
    }
    try {
      const events = await api(`/exceptions/${encodeURIComponent(x.id)}/events`);
      trail.replaceChildren(...events.items.map((e) => h('li', null,
        timeEl(e.at, true), ' ', h('strong', null, e.action), ` by ${actorText(e.actor, e.principal)}`, e.comment ? ` — “${e.comment}”` : '')));
      if (!events.items.length) trail.append(h('li', null, 'No events.'));
      trail.hidden = false;
      toggle.setAttribute('aria-expanded', 'true');
      toggle.textContent = 'Hide audit trail';
    } catch (err) {
      ctx.fail(err);
    }
  });
  card.append(h('div', { class: 'actions' }, toggle), trail);
  return card;
}

/** A token's name, and the person it acts for when that is not the name itself. */
function actorText(name, principal) {
  return principal && principal.trim().toLowerCase() !== name.trim().toLowerCase() ? `${name} (for ${principal})` : name;
}

async function decide(ctx, x, action, comment, buttons) {
  for (const b of buttons) b.disabled = true;
  try {
    await api(`/exceptions/${encodeURIComponent(x.id)}/${action}`, { method: 'POST', body: comment ? { comment } : {} });
    // All states: the one just decided would vanish from a "requested" filter.
    ctx.navigate('#/exceptions', [`Exception ${x.id}: ${action} recorded.`, 'ok']);
  } catch (err) {
    for (const b of buttons) b.disabled = false;
    ctx.fail(err);
  }
}

function requestForm(ctx) {
  const input = (name, attrs = {}) => h('input', { name, type: 'text', autocomplete: 'off', ...attrs });
  // A finding's "Request an exception" link pre-fills the control and resource.
  const pre = (k) => ctx.params.get(k) ?? undefined;
  // pattern attributes are compiled with the v flag, where a literal "-" in a class must be escaped.
  const id = input('id', { pattern: '[A-Za-z0-9._\\-]{1,64}' });
  const controls = input('controls', { required: true, value: pre('control') });
  const kind = input('kind', { value: pre('kind') });
  const namespace = input('namespace', { value: pre('namespace') });
  const name = input('name', { value: pre('name') });
  const justification = h('textarea', { name: 'justification', required: true, rows: '3', minlength: '10', maxlength: '4000' });
  const owner = input('owner', { required: true });
  const expires = input('expires', { type: 'date', required: true, min: new Date().toISOString().slice(0, 10) });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const form = h('form', { class: 'request', 'aria-label': 'Request an exception' },
    h('h2', null, 'Request an exception'),
    h('div', { class: 'grid' },
      field('Id (optional)', id),
      field('Controls', controls, 'comma-separated control ids, e.g. PAL-POD-001'),
      field('Resource kind', kind),
      field('Resource namespace', namespace, 'glob: * and ?'),
      field('Resource name', name, 'glob: * and ?'),
      field('Owner', owner),
      field('Expires', expires)),
    field('Justification', justification, 'why the risk is accepted (at least 10 characters)'),
    error,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Request exception')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    const selector = {};
    if (kind.value.trim()) selector.kind = kind.value.trim();
    if (namespace.value.trim()) selector.namespace = namespace.value.trim();
    if (name.value.trim()) selector.name = name.value.trim();
    if (!Object.keys(selector).length) {
      error.textContent = 'Give at least one of resource kind, namespace or name.';
      error.hidden = false;
      kind.focus();
      return;
    }
    const body = {
      controls: controls.value.split(/[\s,]+/).filter(Boolean),
      resources: [selector],
      justification: justification.value.trim(),
      owner: owner.value.trim(),
      expires: expires.value,
    };
    if (id.value.trim()) body.id = id.value.trim();
    try {
      const created = await api('/exceptions', { method: 'POST', body });
      ctx.navigate(routeHref('exceptions', { state: 'requested' }), [`Exception ${created.id} requested; an admin must approve it.`, 'ok']);
    } catch (err) {
      error.textContent = describeError(err);
      error.hidden = false;
    }
  });
  return form;
}
