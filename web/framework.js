import { api, query } from './api.js';
import { add, badge, field, h, routeHref, select, table } from './dom.js';
import { STATUS_LABELS } from './overview.js';

/** One framework: its requirements with status, failed/excepted counts; a requirement drills into findings. */
export async function frameworkView(ctx) {
  const id = ctx.segs[0] ?? '';
  const cluster = ctx.params.get('cluster') ?? '';
  const status = ctx.params.get('status') ?? '';
  const fw = await api(`/frameworks/${encodeURIComponent(id)}${query({ cluster, scan: ctx.params.get('scan') })}`);

  const filter = select('status', [['', 'all'], ...Object.entries(STATUS_LABELS)], status);
  filter.addEventListener('change', () => ctx.navigate(routeHref(`framework/${encodeURIComponent(id)}`, { cluster, scan: ctx.params.get('scan'), status: filter.value })));

  const reqs = fw.requirements.filter((r) => !status || r.status === status);
  const rows = reqs.map((r) => h('tr', null,
    // Manual and node requirements map no control of a scan: nothing to drill into.
    h('th', { scope: 'row' }, r.controls.length ? h('a', {
      href: routeHref('findings', { cluster, framework: fw.id, requirement: r.id, state: 'open' }),
      'aria-label': `Findings for requirement ${r.id}`,
    }, r.id) : r.id),
    h('td', null, r.title, r.section ? h('div', { class: 'hint' }, r.section) : null),
    h('td', null, badge(STATUS_LABELS[r.status] ?? r.status, `s-${r.status}`)),
    h('td', { class: 'num' }, String(r.failed)),
    h('td', { class: 'num' }, String(r.excepted)),
    h('td', { class: 'controls' }, r.controls.length ? r.controls.join(', ') : '—')));

  add(ctx.section,
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Overview'), ' › ', fw.title),
    h('h1', null, `${fw.title} `, h('span', { class: 'version' }, fw.version ?? '')),
    h('p', { class: 'score' }, h('span', { class: 'score-value' }, fw.score === null ? '—' : `${fw.score}%`), ' score',
      cluster ? ` on cluster ${cluster}` : ''),
    h('form', { class: 'filters', onsubmit: (e) => e.preventDefault() }, field('Requirement status', filter)),
    h('p', { class: 'count-line', 'aria-live': 'polite' }, `${reqs.length} of ${fw.requirements.length} requirements`),
    table(null, ['Requirement', 'Title', 'Status', 'Failed', 'Excepted', 'Controls'], rows, { class: 'requirements' }),
  );
}
