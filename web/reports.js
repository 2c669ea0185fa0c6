import { api, download, query } from './api.js';
import { add, field, h, routeHref, select, table, timeEl } from './dom.js';

const FORMATS = [
  ['html', 'HTML', 'html'],
  ['pdf', 'PDF', 'pdf'],
  ['oscal', 'OSCAL', 'oscal.json'],
  ['sarif', 'SARIF', 'sarif'],
  ['csv', 'CSV', 'csv'],
];

/** Scans with their report downloads (fetched with the token, saved as a blob: no token in URLs). */
export async function reportsView(ctx) {
  const cluster = ctx.params.get('cluster') ?? '';
  const clusters = await api('/clusters');
  const clusterSel = select('cluster', [['', 'all clusters'], ...clusters.items.map((c) => [c.name, c.name])], cluster);
  clusterSel.addEventListener('change', () => ctx.navigate(routeHref('reports', { cluster: clusterSel.value })));
  add(ctx.section,
    h('h1', null, 'Reports'),
    h('form', { class: 'filters', onsubmit: (e) => e.preventDefault() }, field('Cluster', clusterSel)),
    ctx.can('auditor') ? null : h('p', { class: 'hint' }, 'Downloading reports needs the auditor role.'));
  const scans = await api(`/scans${query({ cluster, limit: 20 })}`);
  if (!scans.items.length) {
    add(ctx.section, h('p', { class: 'empty' }, 'No scans yet.'));
    return;
  }
  const rows = scans.items.map((sc) => h('tr', null,
    h('th', { scope: 'row' }, String(sc.id)),
    h('td', null, sc.cluster),
    h('td', null, timeEl(sc.startedAt)),
    h('td', { class: 'num' }, String(sc.resources)),
    h('td', { class: 'num' }, String(sc.failed)),
    h('td', { class: 'num' }, String(sc.opened)),
    h('td', { class: 'num' }, String(sc.resolved)),
    h('td', { class: 'downloads' },
      FORMATS.map(([format, label, ext]) => downloadButton(ctx, label, `Download scan ${sc.id} as ${label}`,
        `/scans/${sc.id}/report${query({ format })}`, `palisade-scan-${sc.id}.${ext}`)),
      downloadButton(ctx, 'Evidence', `Download the evidence bundle of scan ${sc.id}`, `/scans/${sc.id}/bundle`, `palisade-scan-${sc.id}-evidence.tar.gz`))));
  add(ctx.section, table(null, ['Scan', 'Cluster', 'Started', 'Resources', 'Failed', 'New', 'Resolved', 'Download'], rows, { class: 'scans' }));
}

function downloadButton(ctx, label, description, path, filename) {
  const b = h('button', { type: 'button', class: 'secondary small', 'aria-label': description }, label);
  b.addEventListener('click', async () => {
    b.disabled = true;
    try {
      await download(path, filename);
    } catch (err) {
      ctx.fail(err);
    } finally {
      b.disabled = false;
    }
  });
  return b;
}
