import { fmtTime, s } from './dom.js';

const W = 260;
const H = 72;
const PAD = { left: 26, right: 8, top: 8, bottom: 14 };

/**
 * Score trend as inline SVG (0–100 %, oldest left). Scans without a score (nothing evaluated)
 * break the line rather than being drawn as 0. Each point has a <title> for hover and
 * screen readers; the whole chart has a summary label.
 */
export function trendChart(snapshots, label) {
  const pts = snapshots.map((p, i) => ({ ...p, i }));
  const scored = pts.filter((p) => typeof p.score === 'number');
  const first = scored[0];
  const last = scored[scored.length - 1];
  const summary = scored.length === 0
    ? `${label}: no scored scans yet`
    : `${label}: ${scored.length} scan${scored.length === 1 ? '' : 's'}, from ${first.score}% to ${last.score}%`;
  const svg = s('svg', { class: 'trend', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': summary, 'data-points': String(scored.length) });
  svg.append(s('title', null, summary));
  const x = (i) => PAD.left + (pts.length <= 1 ? (W - PAD.left - PAD.right) / 2 : (i * (W - PAD.left - PAD.right)) / (pts.length - 1));
  const y = (v) => PAD.top + ((100 - v) * (H - PAD.top - PAD.bottom)) / 100;
  for (const v of [0, 50, 100]) {
    svg.append(
      s('line', { class: 'grid', x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v) }),
      s('text', { class: 'axis', x: PAD.left - 4, y: y(v) + 3, 'text-anchor': 'end' }, `${v}`),
    );
  }
  let run = [];
  const flush = () => {
    if (run.length > 1) svg.append(s('polyline', { class: 'line', points: run.map((p) => `${x(p.i)},${y(p.score)}`).join(' ') }));
    run = [];
  };
  for (const p of pts) {
    if (typeof p.score === 'number') run.push(p);
    else flush();
  }
  flush();
  for (const p of scored) {
    svg.append(s('circle', { class: 'point', cx: x(p.i), cy: y(p.score), r: 3 },
      s('title', null, `scan ${p.scanId}, ${fmtTime(p.startedAt)}: ${p.score}%`)));
  }
  if (pts.length) {
    const from = fmtTime(pts[0].startedAt);
    const to = fmtTime(pts[pts.length - 1].startedAt);
    // Scans of one day are told apart by their time; longer spans by their dates.
    const sameDay = from.slice(0, 10) === to.slice(0, 10);
    const label = (t) => (sameDay ? t.slice(11, 16) : t.slice(0, 10));
    svg.append(s('text', { class: 'axis', x: PAD.left, y: H - 2 }, label(from)));
    if (pts.length > 1) svg.append(s('text', { class: 'axis', x: W - PAD.right, y: H - 2, 'text-anchor': 'end' }, label(to)));
  }
  return svg;
}
