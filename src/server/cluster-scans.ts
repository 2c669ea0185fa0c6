/**
 * Continuous scans of live clusters: a ClusterWatcher (src/sources/cluster) keeps each
 * cluster's objects current by list + watch of the kinds the controls read; the engine
 * re-runs over them (judgeClusterResources, as `palisade scan` does for a cluster) a short
 * while after changes stop arriving (debounce, so a rollout of fifty pods is one scan, not
 * fifty), and on every `intervalMs` over a fresh full list (which also catches anything a
 * watch missed). Each scan is recorded in the store under the cluster's name, with the
 * exceptions approved in the store applied after those of --exceptions files.
 *
 * At most one scan of a cluster runs at a time; triggers during a scan coalesce into one
 * more scan after it.
 */
import type { Control, ControlSettings } from '../core/control.js';
import type { Diagnostic } from '../core/errors.js';
import type { RiskException } from '../core/exception.js';
import type { Resource } from '../core/resource.js';
import type { Severity } from '../core/severity.js';
import { ExceptionSet } from '../engine/exceptions.js';
import { judgeClusterResources, scanCluster } from '../engine/scan-cluster.js';
import type { ScanResult } from '../engine/scan-result.js';
import type { Framework } from '../frameworks/loader.js';
import type { ClusterClient } from '../sources/cluster/client.js';
import { coveragePlan } from '../sources/cluster/kinds.js';
import type { CoverageGap } from '../sources/cluster/list.js';
import { ClusterWatcher, type WatcherOptions } from '../sources/cluster/watch.js';
import type { RecordScanOutcome, Store } from '../store/types.js';
import type { LogFn } from './api.js';
import { recordScan } from './ingest.js';
import type { ServerMetrics } from './metrics.js';

/** What a scan judges with; re-read before each scan (configuration and exception files may change). */
export interface ClusterJudging {
  controls: readonly Control[];
  settings: ControlSettings;
  controlOptions: Record<string, Record<string, unknown>>;
  severityOverrides: Record<string, Severity>;
  exceptions: ExceptionSet;
  frameworks: readonly Framework[];
}

/**
 * The exceptions of --exceptions files first, then those approved in the store. A store
 * exception unused in one cluster is normal (it may be for another): not reported.
 */
class GovernedExceptions extends ExceptionSet {
  constructor(private readonly files: ExceptionSet, approved: readonly RiskException[], now: Date) {
    super(approved, now);
    const governed = this.exceptionFor;
    this.exceptionFor = (f, r) => files.exceptionFor(f, r) ?? governed(f, r);
  }

  override report(): Diagnostic[] {
    return [...this.files.report(), ...super.report().filter((d) => d.code !== 'PALISADE_EXCEPTION_UNUSED')];
  }
}

async function judgingWithStore(judging: ClusterJudging, store: Store, now = new Date()): Promise<ClusterJudging> {
  const approved = await store.listExceptions({ state: 'approved' });
  return { ...judging, exceptions: new GovernedExceptions(judging.exceptions, approved, now) };
}

/** One scan of a watched cluster's live objects (the same judging as `palisade scan --cluster`), with store-approved exceptions. */
export async function evaluateCluster(opts: { cluster: string; resources: readonly Resource[]; gaps: readonly CoverageGap[]; judging: ClusterJudging; store: Store }): Promise<ScanResult> {
  return judgeClusterResources(opts.cluster, opts.resources, opts.gaps, await judgingWithStore(opts.judging, opts.store));
}

export interface ClusterScannerOptions {
  /** Name the scans are recorded under. */
  cluster: string;
  client: ClusterClient;
  store: Store;
  metrics: ServerMetrics;
  judging: () => ClusterJudging;
  log: LogFn;
  /** Quiet time after the last change before a scan. Default 10 s. */
  debounceMs?: number;
  /** Full re-list and scan period. Default 5 min. */
  intervalMs?: number;
  watcher?: WatcherOptions;
  /** Called after each recorded scan (tests, cache invalidation). */
  onScan?: (outcome: RecordScanOutcome, trigger: 'start' | 'change' | 'interval') => void;
}

export class ClusterScanner {
  private readonly watcher: ClusterWatcher;
  private debounce: NodeJS.Timeout | undefined;
  private interval: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private queued: 'change' | 'interval' | undefined;
  private scannedVersion = -1;
  private stopped = false;
  /** Ends a back-off wait of keepStarting early (stop). */
  private wake: (() => void) | undefined;
  scans = 0;
  failures = 0;

  constructor(private readonly opts: ClusterScannerOptions) {
    // Only the kinds the controls read are watched.
    this.watcher = new ClusterWatcher(opts.client, { kinds: coveragePlan(opts.judging().controls).kinds, ...opts.watcher });
    this.watcher.on('change', () => this.onChange());
    this.watcher.on('gap', (g: CoverageGap) => opts.log('warn', `cluster ${opts.cluster}: cannot read ${g.kind}: ${g.reason} (${g.message})`, { cluster: opts.cluster }));
    this.watcher.on('warning', (e: Error) => opts.log('warn', `cluster ${opts.cluster}: watch: ${e.message}`, { cluster: opts.cluster }));
  }

  /** Lists and starts watching, records the first scan, then keeps scanning until stop(). */
  async start(): Promise<void> {
    await this.watcher.start();
    await this.trigger('start');
    this.interval = setInterval(() => void this.trigger('interval'), this.opts.intervalMs ?? 300_000);
    this.interval.unref();
  }

  /**
   * start(), retried with back-off (5 s doubling to 5 min) while the API server cannot be
   * reached or refuses the credentials, until it succeeds or stop() is called.
   */
  async keepStarting(onError: (e: Error, retryInMs: number) => void): Promise<void> {
    let waitMs = 5_000;
    while (!this.stopped) {
      try {
        await this.start();
        return;
      } catch (e) {
        if (this.stopped) return;
        onError(e as Error, waitMs);
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, waitMs).unref();
        });
        waitMs = Math.min(waitMs * 2, 300_000);
      }
    }
  }

  private onChange(): void {
    if (this.stopped || !this.watcher.synced) return;
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.trigger('change');
    }, this.opts.debounceMs ?? 10_000);
    this.debounce.unref();
  }

  /** Runs a scan now, or once the running one ends. */
  trigger(why: 'start' | 'change' | 'interval'): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      // An interval scan (fresh list) covers a change scan; not the other way round.
      if (this.queued !== 'interval') this.queued = why === 'start' ? 'change' : why;
      return this.running;
    }
    this.running = this.scan(why).finally(() => {
      this.running = undefined;
      const next = this.queued;
      this.queued = undefined;
      if (next && !this.stopped) void this.trigger(next);
    });
    return this.running;
  }

  private async scan(why: 'start' | 'change' | 'interval'): Promise<void> {
    const { cluster, store, metrics, log } = this.opts;
    try {
      let result: ScanResult;
      if (why === 'interval') {
        // A fresh full list: also catches anything a watch missed.
        result = await scanCluster({ client: this.opts.client, ...(await judgingWithStore(this.opts.judging(), store)) });
      } else {
        // Nothing changed since the last scan: nothing to record.
        if (why === 'change' && this.watcher.version === this.scannedVersion) return;
        this.scannedVersion = this.watcher.version;
        result = await evaluateCluster({ cluster, resources: this.watcher.resources(), gaps: this.watcher.gaps(), judging: this.opts.judging(), store });
      }
      const outcome = await recordScan(store, metrics, cluster, 'cluster', result);
      this.scans++;
      metrics.clusterScans.inc({ cluster, result: 'ok' });
      metrics.lastClusterScan.set({ cluster }, Math.floor(Date.now() / 1000));
      log('info', `cluster ${cluster}: scan ${outcome.scanId} recorded (${why}): ${result.resources.total} objects, ${outcome.opened} new, ${outcome.resolved} resolved, ${outcome.stillOpen} still open`, { cluster, scanId: outcome.scanId });
      this.opts.onScan?.(outcome, why);
    } catch (e) {
      this.failures++;
      metrics.clusterScans.inc({ cluster, result: 'error' });
      log('error', `cluster ${cluster}: scan failed (${why}): ${(e as Error).message}`, { cluster });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    if (this.debounce) clearTimeout(this.debounce);
    if (this.interval) clearInterval(this.interval);
    await this.watcher.stop();
    await this.running;
  }
}
