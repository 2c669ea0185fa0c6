import { api, query } from './api.js';
import { add, badge, field, h, locationText, resourceText, routeHref, select, table, timeEl } from './dom.js';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];
const FILTERS = ['cluster', 'state', 'severity', 'control', 'namespace', 'kind', 'q', 'framework', 'requirement', 'scan'];

/** Findings explorer: every filter lives in the URL hash; keyset pages follow the server's `next` cursor. */
export async function findingsView(ctx) {
  const p = Object.fromEntries(FILTERS.map((k) => [k, ctx.params.get(k) ?? '']));
  const cursor = ctx.params.get('cursor') ?? '';
  const clusters = await api('/clusters');

  const go = (changes) => ctx.navigate(routeHref('findings', { ...p, ...changes }));
  const clusterSel = select('cluster', [['', 'all clusters'], ...clusters.items.map((c) => [c.name, c.name])], p.cluster);
  const stateSel = select('state', [['', 'open'], ['resolved', 'resolved'], ['all', 'open and resolved']], p.state === 'open' ? '' : p.state);
  const sevSel = select('severity', [['', 'any'], ...SEVERITIES.map((x) => [x, x])], p.severity);
  const text = (name, value) => h('input', { name, type: 'search', value, autocomplete: 'off' });
  const controlIn = text('control', p.control);
  const nsIn = text('namespace', p.namespace);
  const kindIn = text('kind', p.kind);
  const qIn = text('q', p.q);

  const values = () => ({
    cluster: clusterSel.value, state: stateSel.value, severity: sevSel.value,
    control: controlIn.value.trim(), namespace: nsIn.value.trim(), kind: kindIn.value.trim(), q: qIn.value.trim(),
  });
  for (const sel of [clusterSel, stateSel, sevSel]) sel.addEventListener('change', () => go(values()));
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter findings' },
    field('Cluster', clusterSel), field('State', stateSel), field('Severity', sevSel),
    field('Control', controlIn), field('Namespace', nsIn), field('Kind', kindIn),
    field('Text', qIn, 'name or message'),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Apply'),
      h('button', { type: 'button', class: 'secondary', onclick: () => ctx.navigate('#/findings') }, 'Clear')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    go(values());
  });

  const scope = [];
  if (p.framework) {
    scope.push(h('span', { class: 'chip' }, `framework ${p.framework}${p.requirement ? ` requirement ${p.requirement}` : ''} `,
      h('a', { href: routeHref('findings', { ...p, framework: '', requirement: '' }), 'aria-label': 'Remove framework filter' }, '✕')));
  }
  if (p.scan) scope.push(h('span', { class: 'chip' }, `at scan ${p.scan}`));

  add(ctx.section,
    p.framework ? h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Overview'), ' › ',
      h('a', { href: routeHref(`framework/${encodeURIComponent(p.framework)}`, { cluster: p.cluster }) }, p.framework),
      p.requirement ? ` › ${p.requirement}` : '') : null,
    h('h1', null, 'Findings'),
    form,
    scope.length ? h('p', { class: 'scope' }, scope) : null);

  const page = await api(`/findings${query({
    cluster: p.cluster, scan: p.scan, state: p.state || 'open', control: p.control, severity: p.severity, namespace: p.namespace, kind: p.kind,
    framework: p.framework, requirement: p.requirement, q: p.q, limit: 50, cursor,
  })}`);

  const total = typeof page.total === 'number' ? page.total : undefined;
  add(ctx.section, severityCounts(p));
  add(ctx.section, h('p', { class: 'count-line', 'aria-live': 'polite' },
    total !== undefined ? `${total} finding${total === 1 ? '' : 's'}` : `${page.items.length}${page.next ? '+' : ''} findings`,
    cursor || page.next ? `, ${page.items.length} on this page` : ''));

  if (!page.items.length) {
    add(ctx.section, h('p', { class: 'empty' }, 'No findings match these filters.'));
  } else {
    const rows = page.items.map((f) => h('tr', null,
      h('td', null, badge(f.severity, `sev-${f.severity}`)),
      h('th', { scope: 'row' }, h('a', { href: routeHref(`finding/${encodeURIComponent(f.fingerprint)}`, { cluster: f.cluster }) }, f.controlId)),
      h('td', null, resourceText(f.resource)),
      h('td', null, f.message),
      h('td', { class: 'loc' }, locationText(f)),
      h('td', null, f.resolvedAt ? badge('resolved', 'resolved') : badge(f.status === 'excepted' ? 'excepted' : 'open', f.status === 'excepted' ? 'excepted' : 'open')),
      h('td', null, timeEl(f.lastSeen))));
    add(ctx.section, table(null, ['Severity', 'Control', 'Resource', 'Message', 'Location', 'State', 'Last seen'], rows, { class: 'findings' }));
  }
  const nav = h('nav', { class: 'pager', 'aria-label': 'Pages' });
  if (cursor) nav.append(h('a', { class: 'button secondary', href: routeHref('findings', p) }, 'First page'));
  if (page.next) nav.append(h('a', { class: 'button', href: routeHref('findings', { ...p, cursor: page.next }), rel: 'next' }, 'Next page'));
  if (nav.childNodes.length) add(ctx.section, nav);
}

/** Totals per severity under the other filters, each a link that applies it (filled in as the counts arrive). */
function severityCounts(p) {
  const list = h('ul', { class: 'sev-counts', 'aria-label': 'Findings by severity' });
  const base = {
    cluster: p.cluster, scan: p.scan, state: p.state || 'open', control: p.control, namespace: p.namespace, kind: p.kind,
    framework: p.framework, requirement: p.requirement, q: p.q, limit: 1,
  };
  Promise.all(SEVERITIES.map((sev) => api(`/findings${query({ ...base, severity: sev })}`).then((r) => [sev, r.total], () => [sev, undefined]))).then((counts) => {
    for (const [sev, n] of counts) {
      if (typeof n !== 'number') continue;
      const current = p.severity === sev;
      list.append(h('li', null, h('a', {
        class: `chip sev-${sev}`,
        href: routeHref('findings', { ...p, severity: current ? '' : sev }),
        'aria-current': current ? 'true' : undefined,
        'aria-label': `${sev}: ${n}${current ? ' (selected; select to clear)' : ''}`,
      }, `${sev} ${n}`)));
    }
  });
  return list;
}
