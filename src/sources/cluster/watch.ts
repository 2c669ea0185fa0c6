/**
 * Keeps an in-memory copy of the cluster's objects up to date: for each kind, list, then
 * watch from the list's resourceVersion (with bookmarks, so a quiet kind's position stays
 * fresh), apply ADDED/MODIFIED/DELETED, re-list when the server says the position is gone
 * (410, as an ERROR event or as the HTTP status), and reconnect with backoff otherwise.
 * Continuous scans read `resources()` and re-evaluate when `version` has moved.
 */
import { EventEmitter } from 'node:events';
import type { Resource } from '../../core/resource.js';
import { ClusterApiError, type ClusterClient } from './client.js';
import { collectionPath, Discovery, isDiscoveryFailure, type ApiResource } from './discovery.js';
import { CLUSTER_KINDS, type KindRef } from './kinds.js';
import { gapOf, listKind, type CoverageGap, type ListProgress } from './list.js';
import { clusterResource, objectsOf, readsAsTable, TABLE_ACCEPT } from './objects.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ChangeEvent {
  type: ChangeType;
  resource: Resource;
}

export interface WatcherOptions {
  kinds?: readonly KindRef[];
  pageSize?: number;
  /** Server-side watch timeout (timeoutSeconds); the watch is then resumed. Default 300. */
  watchTimeoutSeconds?: number;
  /** Reconnect backoff: first wait, doubled per failure up to max (with jitter). */
  backoff?: { initialMs?: number; maxMs?: number };
  onProgress?: (p: ListProgress) => void;
}

/** The live objects, keyed by Resource.key (group/kind/namespace/name). */
export interface LiveInventory {
  resources(): Resource[];
  get(key: string): Resource | undefined;
  readonly size: number;
  /** Incremented on every change: compare to decide whether to re-evaluate. */
  readonly version: number;
}

interface KindState {
  ref: KindRef;
  api?: ApiResource;
  resourceVersion?: string;
  synced: boolean;
  gap?: CoverageGap;
  /** Keys of this kind's objects, to find what a re-list no longer has. */
  keys: Set<string>;
  /** Watch events received, to tell a working watch from one that ends at once. */
  events: number;
  /**
   * Stops this kind's requests and backoff. One per kind, aborted by stop(): every request
   * adds a listener to its signal, and one shared signal would gather one per kind watched.
   */
  abort: AbortController;
}

class GoneError extends Error {}

/**
 * Events: 'change' (ChangeEvent), 'synced' (every kind listed once, or found unreadable),
 * 'relist' ({kind}), 'gap' (CoverageGap), 'warning' (Error; the watcher keeps going).
 */
export class ClusterWatcher extends EventEmitter implements LiveInventory {
  private readonly objects = new Map<string, Resource>();
  private readonly states: KindState[];
  private readonly discovery: Discovery;
  private stopping = false;
  private loops: Promise<void>[] = [];
  private syncedEmitted = false;
  private changes = 0;

  constructor(
    private readonly client: ClusterClient,
    private readonly opts: WatcherOptions = {},
  ) {
    super();
    this.discovery = new Discovery(client);
    this.states = (opts.kinds ?? CLUSTER_KINDS).map((ref) => ({ ref, synced: false, keys: new Set(), events: 0, abort: new AbortController() }));
  }

  get version(): number {
    return this.changes;
  }

  get size(): number {
    return this.objects.size;
  }

  get cluster(): string {
    return this.client.cluster;
  }

  resources(): Resource[] {
    return [...this.objects.values()];
  }

  get(key: string): Resource | undefined {
    return this.objects.get(key);
  }

  /** Kinds that could not be read (as of now). */
  gaps(): CoverageGap[] {
    return this.states.filter((s) => s.gap).map((s) => s.gap!);
  }

  /** True once every kind has been listed (or found unreadable) at least once. */
  get synced(): boolean {
    return this.syncedEmitted;
  }

  /** Starts every kind's list-and-watch loop; resolves once all are synced. */
  async start(): Promise<void> {
    // Discovery errors here (unreachable server, bad credentials) are the caller's to report.
    await this.discovery.groupList();
    const synced = new Promise<void>((resolve) => (this.syncedEmitted ? resolve() : this.once('synced', resolve)));
    this.loops = this.states.map((s) => this.run(s));
    this.checkSynced();
    await Promise.race([synced, Promise.all(this.loops)]);
  }

  /** Stops every watch and waits for the loops to end. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const s of this.states) s.abort.abort();
    await Promise.all(this.loops);
  }

  private get stopped(): boolean {
    return this.stopping;
  }

  private async run(s: KindState): Promise<void> {
    const initial = this.opts.backoff?.initialMs ?? 500;
    const max = this.opts.backoff?.maxMs ?? 60_000;
    // Failures in a row; only a watch that delivered events or stayed open resets it, so a
    // server that keeps failing (or keeps closing at once, or keeps answering 410) is not hammered.
    let failures = 0;
    while (!this.stopped) {
      let healthy = false;
      try {
        if (!s.api) {
          const api = await this.discovery.resolve(s.ref.group, s.ref.kind);
          if (api === undefined || (!isDiscoveryFailure(api) && !(api.verbs.includes('list') && api.verbs.includes('watch')))) {
            // Not served: nothing of it can exist. Counted as synced.
            s.synced = true;
            this.checkSynced();
            return;
          }
          if (isDiscoveryFailure(api)) throw Object.assign(api.error, { version: api.version });
          s.api = api;
        }
        if (s.resourceVersion === undefined) await this.relist(s);
        const began = Date.now();
        const before = s.events;
        try {
          await this.watch(s);
        } finally {
          healthy = s.events > before || Date.now() - began >= 1000;
          if (healthy) failures = 0;
        }
        // The server ended the watch (timeoutSeconds): resume from where we are.
        if (healthy) continue;
      } catch (e) {
        if (this.stopped) return;
        if (e instanceof GoneError || (e instanceof ClusterApiError && e.status === 410)) {
          s.resourceVersion = undefined;
          this.emit('relist', { kind: s.ref.kind });
          // The first re-list is immediate; repeated ones back off like any failure.
          if (failures++ === 0) continue;
        } else {
          const err = e instanceof ClusterApiError ? e : new ClusterApiError(String((e as Error)?.message ?? e), 0);
          if (!s.synced || s.gap || err.status === 403) {
            // Never read, still unreadable, or no longer allowed: a gap until a list succeeds.
            const gap = gapOf({ group: s.ref.group, version: s.api?.version ?? (e as { version?: string }).version ?? '', kind: s.ref.kind, resource: s.api?.resource }, err);
            const fresh = !s.gap || s.gap.status !== gap.status;
            s.gap = gap;
            if (fresh) this.emit('gap', gap);
            if (!s.synced) {
              s.synced = true;
              this.checkSynced();
            }
          } else this.emit('warning', err);
          failures++;
        }
      }
      if (failures === 0) failures = 1;
      await this.sleep(s.abort.signal, Math.min(max, initial * 2 ** Math.min(failures - 1, 16)) * (0.8 + 0.4 * Math.random()));
    }
  }

  /** Lists the kind and replaces its objects, emitting changes for what differs. */
  private async relist(s: KindState): Promise<void> {
    const api = s.api!;
    const fresh = new Map<string, Resource>();
    const listing = await listKind(this.client, api, this.opts.pageSize ?? 500, { onProgress: this.opts.onProgress, signal: s.abort.signal }, (objects) => {
      for (const o of objects) {
        const r = clusterResource(o, this.client.cluster);
        fresh.set(r.key, r);
      }
    });
    for (const key of s.keys) {
      if (!fresh.has(key)) {
        const old = this.objects.get(key);
        this.objects.delete(key);
        if (old) this.changed('DELETED', old);
      }
    }
    for (const [key, r] of fresh) {
      const old = this.objects.get(key);
      this.objects.set(key, r);
      if (!old) this.changed('ADDED', r);
      else if (rv(old) !== rv(r)) this.changed('MODIFIED', r);
    }
    s.keys = new Set(fresh.keys());
    s.resourceVersion = listing.resourceVersion;
    s.gap = undefined;
    if (!s.synced) {
      s.synced = true;
      this.checkSynced();
    }
  }

  private async watch(s: KindState): Promise<void> {
    const api = s.api!;
    const asTable = readsAsTable(api);
    const timeoutSeconds = this.opts.watchTimeoutSeconds ?? 300;
    await this.client.stream(
      collectionPath(api),
      {
        query: {
          watch: 1,
          allowWatchBookmarks: true,
          resourceVersion: s.resourceVersion,
          timeoutSeconds,
          ...(asTable ? { includeObject: 'Metadata' } : {}),
        },
        accept: asTable ? TABLE_ACCEPT : undefined,
        signal: s.abort.signal,
        // Bookmarks arrive about once a minute; silence much longer than the timeout is a dead connection.
        timeoutMs: (timeoutSeconds + 60) * 1000,
      },
      (value) => this.onEvent(s, value),
    );
  }

  private onEvent(s: KindState, value: unknown): void {
    const ev = value as { type?: unknown; object?: Record<string, unknown> };
    const type = ev?.type;
    const object = ev?.object;
    if (type === 'ERROR') {
      const status = object as { code?: unknown; reason?: unknown; message?: unknown } | undefined;
      if (status?.code === 410 || status?.reason === 'Expired' || status?.reason === 'Gone') throw new GoneError(String(status?.message ?? 'resource version too old'));
      throw new ClusterApiError(`watch ${collectionPath(s.api!)}: ${String(status?.message ?? 'error event')}`, typeof status?.code === 'number' ? status.code : 0, typeof status?.reason === 'string' ? status.reason : undefined);
    }
    if (!object || typeof object !== 'object') return;
    s.events++;
    const version = versionOf(object);
    if (type === 'BOOKMARK') {
      if (version) s.resourceVersion = version;
      return;
    }
    if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') return;
    for (const o of objectsOf(object, s.api!, readsAsTable(s.api!))) {
      const r = clusterResource(o, this.client.cluster);
      if (type === 'DELETED') {
        const old = this.objects.get(r.key);
        this.objects.delete(r.key);
        s.keys.delete(r.key);
        if (old) this.changed('DELETED', r);
      } else {
        const old = this.objects.get(r.key);
        this.objects.set(r.key, r);
        s.keys.add(r.key);
        this.changed(old ? 'MODIFIED' : 'ADDED', r);
      }
    }
    if (version) s.resourceVersion = version;
  }

  private changed(type: ChangeType, resource: Resource): void {
    this.changes++;
    this.emit('change', { type, resource } satisfies ChangeEvent);
  }

  private checkSynced(): void {
    if (!this.syncedEmitted && this.states.every((s) => s.synced)) {
      this.syncedEmitted = true;
      this.emit('synced');
    }
  }

  private sleep(signal: AbortSignal, ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

function rv(r: Resource): string | undefined {
  return r.origin.type === 'cluster' ? r.origin.resourceVersion : undefined;
}

/** resourceVersion of a watch object (a Table's rows carry it in their objects). */
function versionOf(object: Record<string, unknown>): string | undefined {
  const meta = object.metadata as { resourceVersion?: unknown } | undefined;
  if (typeof meta?.resourceVersion === 'string' && meta.resourceVersion) return meta.resourceVersion;
  const rows = object.rows as { object?: { metadata?: { resourceVersion?: unknown } } }[] | undefined;
  const v = Array.isArray(rows) ? rows[0]?.object?.metadata?.resourceVersion : undefined;
  return typeof v === 'string' ? v : undefined;
}
