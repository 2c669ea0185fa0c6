/**
 * The webhook's Prometheus metrics, in the text exposition format (version 0.0.4). A handful
 * of counters, gauges and one histogram do not justify a client library.
 */

type Labels = Record<string, string>;

function escapeLabel(v: string): string {
  if (!/[\\\n"]/.test(v)) return v;
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(labels: Labels): string {
  // Called for every finding: plain concatenation, no intermediate arrays.
  let out = '';
  for (const k in labels) out += `${out ? ',' : '{'}${k}="${escapeLabel(labels[k]!)}"`;
  return out ? out + '}' : '';
}

function formatValue(v: number): string {
  return Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN';
}

interface Metric {
  render(out: string[]): void;
}

export class Counter implements Metric {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(readonly name: string, readonly help: string, private readonly kind: 'counter' | 'gauge' = 'counter') {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    const cur = this.values.get(key);
    if (cur) cur.value += by;
    else this.values.set(key, { labels, value: by });
  }

  set(labels: Labels, value: number): void {
    this.values.set(labelText(labels), { labels, value });
  }

  /**
   * The series of `labels`, created at 0 if new: callers that count the same labels for
   * every review keep it and bump `value` instead of formatting the labels each time.
   */
  series(labels: Labels): { value: number } {
    const key = labelText(labels);
    let cur = this.values.get(key);
    if (!cur) this.values.set(key, (cur = { labels, value: 0 }));
    return cur;
  }

  get(labels: Labels = {}): number {
    return this.values.get(labelText(labels))?.value ?? 0;
  }

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.kind}`);
    if (this.values.size === 0 && this.kind === 'gauge') out.push(`${this.name} 0`);
    for (const { labels, value } of this.values.values()) out.push(`${this.name}${labelText(labels)} ${formatValue(value)}`);
  }
}

export class Histogram implements Metric {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, readonly buckets: readonly number[]) {}

  observe(labels: Labels, value: number): void {
    const key = labelText(labels);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    this.add(s, value);
  }

  /** An observer for one label set, for callers that observe it for every review. */
  observer(labels: Labels): (value: number) => void {
    const key = labelText(labels);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    const series = s;
    return (value) => this.add(series, value);
  }

  private add(s: { counts: number[]; sum: number; count: number }, value: number): void {
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`);
    for (const s of this.series.values()) {
      this.buckets.forEach((b, i) => out.push(`${this.name}_bucket${labelText({ ...s.labels, le: String(b) })} ${s.counts[i]}`));
      out.push(`${this.name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`);
      out.push(`${this.name}_sum${labelText(s.labels)} ${formatValue(s.sum)}`, `${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
  }
}

/** Every metric the webhook exports. */
export class AdmissionMetrics {
  readonly reviews = new Counter('palisade_admission_reviews_total', 'Reviews answered, by endpoint and outcome (allow, deny, warn, exempt, skip, mutate, shed).');
  readonly findings = new Counter('palisade_admission_findings_total', 'Findings on reviewed objects, by control and action (deny, warn, audit).');
  readonly latency = new Histogram('palisade_admission_review_duration_seconds', 'Time from receiving a review to answering it, by endpoint.', [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);
  readonly inFlight = new Counter('palisade_admission_in_flight_reviews', 'Reviews received and not yet answered.', 'gauge');
  readonly shed = new Counter('palisade_admission_shed_total', 'Reviews answered without judging because the webhook was overloaded, by endpoint and mode.');
  readonly badRequests = new Counter('palisade_admission_bad_requests_total', 'Requests refused before judging, by HTTP status.');
  readonly errors = new Counter('palisade_admission_internal_errors_total', 'Reviews that failed with an internal error (a bug).');
  readonly patches = new Counter('palisade_admission_mutations_total', 'Defaults applied by /mutate, by mutation.');
  readonly digests = new Counter('palisade_admission_digest_resolutions_total', 'Tag-to-digest resolutions, by result.');
  readonly certReloads = new Counter('palisade_admission_certificate_reloads_total', 'Serving certificate reloads, by result.');
  readonly certExpiry = new Counter('palisade_admission_certificate_expiry_timestamp_seconds', 'When the serving certificate expires (Unix time).', 'gauge');
  readonly cacheObjects = new Counter('palisade_admission_context_objects', 'Context objects known to the webhook, by kind.', 'gauge');
  readonly logDropped = new Counter('palisade_admission_decision_log_dropped_total', 'Decision-log lines dropped because the log could not keep up.');
  readonly connectionsRefused = new Counter('palisade_admission_connections_refused_total', 'Connections closed on arrival because --max-connections were open.');
  readonly connectionsTimedOut = new Counter('palisade_admission_connections_timed_out_total', 'Connections closed because they were idle past --idle-timeout or their client stopped reading.');

  private readonly findingSeries = new Map<string, Map<string, { value: number }>>();

  /** Counts one finding of `control` with `action`: called for every finding of every review. */
  countFinding(control: string, action: string): void {
    let byAction = this.findingSeries.get(control);
    if (!byAction) this.findingSeries.set(control, (byAction = new Map()));
    let s = byAction.get(action);
    if (!s) byAction.set(action, (s = this.findings.series({ control, action })));
    s.value++;
  }

  render(): string {
    const out: string[] = [];
    for (const m of [this.reviews, this.findings, this.latency, this.inFlight, this.shed, this.badRequests, this.errors, this.patches, this.digests, this.certReloads, this.certExpiry, this.cacheObjects, this.logDropped, this.connectionsRefused, this.connectionsTimedOut]) m.render(out);
    return out.join('\n') + '\n';
  }
}
