import { api, query } from './api.js';
import { add, badge, dottedPath, h, locationText, resourceText, routeHref, timeEl } from './dom.js';

/** One finding: resource, where it is, the evidence (already redacted by the server), fix and history. */
export async function findingView(ctx) {
  const fp = ctx.segs[0] ?? '';
  const cluster = ctx.params.get('cluster') ?? '';
  const f = await api(`/findings/${encodeURIComponent(fp)}${query({ cluster })}`);
  const r = f.resource ?? {};
  const row = (term, ...value) => [h('dt', null, term), h('dd', null, ...value)];

  const details = h('dl', { class: 'details' },
    row('Control', h('a', { href: routeHref('findings', { control: f.controlId, cluster: f.cluster, state: 'all' }) }, f.controlId), f.title ? ` — ${f.title}` : ''),
    row('Severity', badge(f.severity, `sev-${f.severity}`)),
    row('State', f.resolvedAt ? badge('resolved', 'resolved') : badge(f.status === 'excepted' ? 'excepted' : 'open', f.status === 'excepted' ? 'excepted' : 'open')),
    row('Cluster', f.cluster ?? '—'),
    row('Kind', r.kind ?? '—'),
    row('Namespace', r.namespace ?? '—'),
    row('Name', r.name ?? '—'),
    row('API version', r.apiVersion ?? '—'),
    row('Location', h('code', { class: 'location' }, locationText(f))),
    row('Field', h('code', null, dottedPath(f.path) || '(object)')),
    row('Message', f.message),
  );
  if (f.evidence !== undefined) details.append(...row('Evidence', h('pre', { class: 'evidence' }, typeof f.evidence === 'string' ? f.evidence : JSON.stringify(f.evidence, null, 2))));
  if (f.remediation) details.append(...row('Remediation', f.remediation));
  if (Array.isArray(f.fix) && f.fix.length) details.append(...row('Suggested fix (JSON patch)', h('pre', { class: 'fix' }, JSON.stringify(f.fix, null, 2))));
  if (f.exception) {
    details.append(...row('Exception', `${f.exception.id}: ${f.exception.reason}`,
      f.exception.owner ? ` (owner ${f.exception.owner}` : '', f.exception.expires ? `, expires ${f.exception.expires})` : f.exception.owner ? ')' : ''));
  }
  details.append(...row('Fingerprint', h('code', null, f.fingerprint)));

  const history = h('ol', { class: 'history' },
    h('li', null, 'First seen ', timeEl(f.firstSeen), ` in scan ${f.firstScanId}`),
    h('li', null, 'Last seen ', timeEl(f.lastSeen), ` in scan ${f.lastScanId}`),
    f.resolvedAt ? h('li', null, 'Resolved ', timeEl(f.resolvedAt), f.resolvedScanId !== undefined ? ` by scan ${f.resolvedScanId}` : '') : null);

  add(ctx.section,
    h('p', { class: 'crumbs' }, h('a', { href: routeHref('findings', { cluster: f.cluster }) }, 'Findings'), ' › ', f.controlId),
    h('h1', null, `${f.controlId} on ${resourceText(r)}`),
    details,
    h('h2', null, 'History'),
    history,
    h('p', { class: 'actions' },
      h('a', { href: routeHref('findings', { cluster: f.cluster, kind: r.kind, namespace: r.namespace, q: r.name, state: 'all' }) }, 'Other findings of this resource'),
      ctx.can('auditor') && !f.resolvedAt && f.status !== 'excepted'
        ? h('a', { class: 'button secondary', href: routeHref('exceptions', { control: f.controlId, kind: r.kind, namespace: r.namespace, name: r.name }) }, 'Request an exception')
        : null));
}
