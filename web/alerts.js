import { api, query } from './api.js';
import { add, field, h, routeHref, select, timeEl } from './dom.js';

const PRIORITY_CLASS = {
  Emergency: 'p-critical', Alert: 'p-critical', Critical: 'p-critical',
  Error: 'p-high', Warning: 'p-medium', Notice: 'p-low', Informational: 'p-info', Debug: 'p-info',
};

/** Alerts and incidents, newest first: priority colour, rule, output, MITRE tags; incidents with their stages. */
export async function alertsView(ctx) {
  const cluster = ctx.params.get('cluster') ?? '';
  const incidents = ctx.params.get('incidents') === 'true';
  const cursor = ctx.params.get('cursor') ?? '';
  const clusters = await api('/clusters');
  const params = { cluster, incidents: incidents ? 'true' : '' };

  const clusterSel = select('cluster', [['', 'all clusters'], ...clusters.items.map((c) => [c.name, c.name])], cluster);
  const onlyInc = h('input', { type: 'checkbox', id: 'only-incidents', name: 'incidents', checked: incidents });
  const apply = () => ctx.navigate(routeHref('alerts', { cluster: clusterSel.value, incidents: onlyInc.checked ? 'true' : '' }));
  clusterSel.addEventListener('change', apply);
  onlyInc.addEventListener('change', apply);

  add(ctx.section,
    h('h1', null, 'Alerts and incidents'),
    h('form', { class: 'filters', onsubmit: (e) => e.preventDefault() },
      field('Cluster', clusterSel),
      h('div', { class: 'field check' }, onlyInc, h('label', { for: 'only-incidents' }, 'Incidents only'))));

  const page = await api(`/alerts${query({ ...params, limit: 50, cursor })}`);
  const items = [...page.items].sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : b.id - a.id));
  add(ctx.section, h('p', { class: 'count-line' },
    typeof page.total === 'number' ? `${page.total} ${incidents ? 'incidents' : 'alerts'}` : `${items.length}${page.next ? '+' : ''} ${incidents ? 'incidents' : 'alerts'}`));
  if (!items.length) add(ctx.section, h('p', { class: 'empty' }, 'Nothing detected.'));
  else add(ctx.section, h('ol', { class: 'timeline', 'aria-label': 'Alerts, newest first' }, items.map(alertItem)));

  const nav = h('nav', { class: 'pager', 'aria-label': 'Pages' });
  if (cursor) nav.append(h('a', { class: 'button secondary', href: routeHref('alerts', params) }, 'Newest'));
  if (page.next) nav.append(h('a', { class: 'button', href: routeHref('alerts', { ...params, cursor: page.next }), rel: 'next' }, 'Older'));
  if (nav.childNodes.length) add(ctx.section, nav);
}

function alertItem(a) {
  const pal = a.palisade ?? {};
  const isIncident = Array.isArray(pal.timeline);
  const mitre = pal.mitre ?? [];
  const li = h('li', { class: `alert ${PRIORITY_CLASS[a.priority] ?? 'p-info'}${isIncident ? ' incident' : ''}` },
    h('div', { class: 'alert-head' },
      h('span', { class: 'priority' }, a.priority),
      ' ',
      h('strong', { class: 'rule' }, a.rule),
      ' ',
      timeEl(a.time, true),
      a.cluster ? h('span', { class: 'hint' }, ` · cluster ${a.cluster}`) : null),
    h('p', { class: 'output' }, a.output),
    mitre.length ? h('ul', { class: 'tags', 'aria-label': 'MITRE ATT&CK' }, mitre.map((t) => h('li', { class: 'chip' }, t))) : null,
    pal.incident && !isIncident ? h('p', { class: 'hint' }, `Part of incident ${pal.incident}`) : null);
  if (pal.anomaly) li.append(h('p', { class: 'hint' }, `Anomaly (${pal.anomaly.kind}): ${pal.anomaly.explanation}`));
  if (isIncident) {
    add(li,
      pal.entity ? h('p', null, `Entity: ${pal.entity.kind} ${pal.entity.id}`) : null,
      pal.stages?.length ? h('p', null, 'Stages: ', pal.stages.join(' → ')) : null,
      h('ol', { class: 'stages', 'aria-label': 'Incident timeline' }, pal.timeline.map((e) => h('li', { class: e.chain ? 'chain' : '' },
        timeEl(e.time, true), ' ', h('strong', null, e.stage), ' ',
        [e.user, e.verb, e.resource, e.namespace && e.name ? `${e.namespace}/${e.name}` : e.name].filter(Boolean).join(' '),
        e.rules?.length ? ` — ${e.rules.join(', ')}` : '',
        e.mitre?.length ? h('span', { class: 'hint' }, ` [${e.mitre.join(', ')}]`) : null))));
  }
  return li;
}
