// DOM building without innerHTML: every value reaches the page as text, so names such as
// `<img onerror=…>` in resources, messages or alerts stay inert.

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * h('a', { href, class: 'x', onclick: fn }, 'text', child, [more]) — attributes are set with
 * setAttribute, `on*` functions become listeners, children are nodes or text.
 */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

export function s(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

/** Appends nodes and text to `el`, skipping null/undefined/false (Element.append would print "null"). */
export function add(el, ...children) {
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/** A table with a caption; rows are arrays of cells (nodes or text). */
export function table(caption, headers, rows, attrs) {
  return h('div', { class: 'table-wrap' },
    h('table', attrs,
      caption ? h('caption', null, caption) : null,
      h('thead', null, h('tr', null, headers.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, rows)));
}

export function badge(text, kind) {
  return h('span', { class: `badge ${kind ?? ''}`.trim() }, text);
}

/** "2026-11-25 11:24 UTC" (with `seconds`, 11:24:07) — stable and unambiguous for auditors in any time zone. */
export function fmtTime(iso, seconds = false) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toISOString().slice(0, seconds ? 19 : 16).replace('T', ' ') + ' UTC';
}

export function timeEl(iso, seconds = false) {
  return h('time', { datetime: iso ?? undefined }, fmtTime(iso, seconds));
}

/** Link to a hash route with query parameters (empty values dropped). */
export function routeHref(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const qs = q.toString();
  return `#/${path}${qs ? `?${qs}` : ''}`;
}

/** A labelled form field: label + control, associated by id. */
let fieldSeq = 0;
export function field(labelText, control, hint) {
  const id = control.id || `f${++fieldSeq}`;
  control.id = id;
  const hintEl = hint ? h('span', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: id }, labelText), control, hintEl);
}

export function select(name, options, value) {
  return h('select', { name },
    options.map(([v, label]) => h('option', { value: v, selected: v === (value ?? '') }, label)));
}

/** Kind namespace/name of a finding's resource. */
export function resourceText(r) {
  if (!r) return '—';
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}

/** JSON paths arrive as arrays (store) or dotted strings (JSON report): show the dotted form. */
export function dottedPath(path) {
  if (typeof path === 'string') return path;
  if (!Array.isArray(path)) return '';
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Where a finding is: file:line[:column] for manifests, the cluster for live objects. */
export function locationText(f) {
  const loc = f.location;
  if (loc && loc.file) return `${loc.file}:${loc.line}${loc.column ? `:${loc.column}` : ''}`;
  return f.cluster ? `cluster ${f.cluster}` : '—';
}
