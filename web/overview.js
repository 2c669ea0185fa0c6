import { api, query } from './api.js';
import { trendChart } from './chart.js';
import { add, h, routeHref, timeEl } from './dom.js';

export const STATUS_LABELS = {
  pass: 'pass',
  partial: 'partial',
  fail: 'fail',
  manual: 'manual',
  node: 'node checks',
  'not-evaluated': 'not evaluated',
};

/** Per cluster, each framework's latest score and requirement counts, with its trend. */
export async function overviewView(ctx) {
  add(ctx.section, h('h1', null, 'Compliance overview'));
  const [clusters, frameworks] = await Promise.all([api('/clusters'), api('/frameworks')]);
  // A cluster known only from audit events has no compliance status to show.
  const scanned = clusters.items.filter((c) => c.lastScanId !== undefined && c.lastScanId !== null);
  if (!scanned.length) {
    add(ctx.section, h('p', { class: 'empty' }, 'No scans yet. Send one with POST /api/v1/ingest/scan (palisade scan --format json).'));
    return;
  }
  for (const c of scanned) {
    const fws = frameworks.items.filter((f) => f.cluster === c.name);
    const grid = h('div', { class: 'cards' });
    add(ctx.section, h('section', { class: 'cluster', 'aria-label': `Cluster ${c.name}` },
      h('h2', null, `Cluster ${c.name}`),
      h('p', { class: 'meta' }, 'Last scan ', timeEl(c.lastScanAt), ` (scan ${c.lastScanId})`),
      fws.length ? grid : h('p', { class: 'empty' }, 'No framework status for this cluster.')));
    for (const f of fws) grid.append(frameworkCard(ctx, c.name, f));
  }
}

function frameworkCard(ctx, cluster, f) {
  const deltaSlot = h('p', { class: 'hint delta-line' });
  const chartSlot = h('div', { class: 'chart' }, h('span', { class: 'loading' }, 'Loading trend…'));
  const counts = h('dl', { class: 'counts' });
  for (const [status, label] of Object.entries(STATUS_LABELS)) {
    const n = f.counts?.[status] ?? 0;
    if (n === 0 && (status === 'node' || status === 'not-evaluated')) continue;
    counts.append(h('div', { class: `count s-${status}` }, h('dt', null, label), h('dd', null, String(n))));
  }
  const card = h('article', { class: 'card framework', 'aria-label': `${f.title} on ${cluster}` },
    h('h3', null, h('a', { href: routeHref(`framework/${encodeURIComponent(f.id)}`, { cluster }) }, f.title)),
    h('p', { class: 'score' }, h('span', { class: 'score-value' }, f.score === null || f.score === undefined ? '—' : `${f.score}%`),
      h('span', { class: 'score-label' }, ' score')),
    deltaSlot,
    counts,
    chartSlot);
  api(`/frameworks/${encodeURIComponent(f.id)}/trend${query({ cluster, limit: 30 })}`).then(
    (trend) => {
      chartSlot.replaceChildren(trendChart(trend.items, `${f.title} score trend`));
      const scored = trend.items.filter((p) => typeof p.score === 'number');
      if (scored.length > 1) {
        const delta = scored[scored.length - 1].score - scored[scored.length - 2].score;
        const text = delta === 0 ? 'unchanged' : `${delta > 0 ? '▲' : '▼'} ${Math.abs(delta)} points`;
        deltaSlot.replaceChildren(h('span', { class: `delta ${delta > 0 ? 'up' : delta < 0 ? 'down' : ''}`.trim() }, `${text} since the previous scan`));
      }
    },
    (err) => {
      chartSlot.replaceChildren(h('span', { class: 'form-error' }, 'Trend unavailable'));
      ctx.fail(err);
    },
  );
  return card;
}
