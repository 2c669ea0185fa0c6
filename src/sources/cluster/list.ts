/**
 * Reads the kinds controls need from a live cluster: discovery says which are served and
 * where, each is listed cluster-wide in pages (limit/continue), and what could not be read
 * becomes a coverage gap rather than an empty, passing answer.
 */
import type { Resource } from '../../core/resource.js';
import { ClusterApiError, type ClusterClient } from './client.js';
import { collectionPath, Discovery, isDiscoveryFailure, type ApiResource } from './discovery.js';
import { CLUSTER_KINDS, type KindRef } from './kinds.js';
import { clusterResource, objectsOf, readsAsTable, TABLE_ACCEPT } from './objects.js';

/** A kind the scan needed and could not read. */
export interface CoverageGap {
  group: string;
  version: string;
  kind: string;
  /** Plural resource name, when discovery found it. */
  resource?: string;
  /** forbidden (RBAC said no) or unavailable (any other failure). */
  reason: 'forbidden' | 'unavailable';
  /** HTTP status (0 when no answer arrived). */
  status: number;
  /** What the server or the connection said, without credentials. */
  message: string;
}

export interface ListProgress {
  kind: string;
  group: string;
  version: string;
  resource: string;
  /** Objects of this kind so far. */
  count: number;
  /** Pages read so far. */
  page: number;
  /** True once the last page of this kind is in. */
  done: boolean;
}

export interface ListOptions {
  /** Kinds to read; default every kind in CLUSTER_KINDS. */
  kinds?: readonly KindRef[];
  /** Names (kinds or plural resources, optionally group-prefixed) that only discovery can place. */
  names?: readonly string[];
  /** Objects per page (limit); default 500. */
  pageSize?: number;
  onProgress?: (p: ListProgress) => void;
  /** Kinds listed at the same time; default 4. */
  concurrency?: number;
  /** Stops with an error beyond this many objects in total (default 2,000,000). */
  maxObjects?: number;
  signal?: AbortSignal;
}

export interface KindListing {
  api: ApiResource;
  count: number;
  pages: number;
  /** The list's resourceVersion: where a watch continues from. */
  resourceVersion: string;
}

export interface ListResult {
  resources: Resource[];
  gaps: CoverageGap[];
  /** Every kind read, with its list resourceVersion. */
  listed: KindListing[];
  /** Requested kinds this server does not serve (not gaps: nothing of them can exist). */
  skipped: KindRef[];
  /** Name (from ListOptions.names) → the kind it resolved to. */
  resolvedNames: Map<string, string>;
}

export async function listClusterResources(client: ClusterClient, opts: ListOptions = {}): Promise<ListResult> {
  const discovery = new Discovery(client);
  const pageSize = clampPageSize(opts.pageSize);
  const wanted: KindRef[] = [...(opts.kinds ?? CLUSTER_KINDS)];
  const resolvedNames = new Map<string, string>();
  for (const name of opts.names ?? []) {
    const api = await discovery.resolveName(name);
    if (!api) continue;
    resolvedNames.set(name, api.kind);
    if (!wanted.some((k) => k.group === api.group && k.kind === api.kind)) wanted.push({ group: api.group, kind: api.kind });
  }

  const result: ListResult = { resources: [], gaps: [], listed: [], skipped: [], resolvedNames };
  const perKind: Resource[][] = wanted.map(() => []);
  let total = 0;
  const maxObjects = opts.maxObjects ?? 2_000_000;

  const one = async (i: number) => {
    const ref = wanted[i]!;
    const api = await discovery.resolve(ref.group, ref.kind);
    if (api === undefined || (!isDiscoveryFailure(api) && !api.verbs.includes('list'))) {
      result.skipped.push(ref);
      return;
    }
    if (isDiscoveryFailure(api)) {
      result.gaps.push(gapOf({ group: ref.group, version: api.version, kind: ref.kind }, api.error));
      return;
    }
    try {
      const listing = await listKind(client, api, pageSize, opts, (objects) => {
        total += objects.length;
        if (total > maxObjects) throw new ClusterApiError(`more than ${maxObjects} objects; stopped reading`, 0, 'TooMany');
        for (const o of objects) perKind[i]!.push(clusterResource(o, client.cluster));
      });
      result.listed.push(listing);
    } catch (e) {
      if (!(e instanceof ClusterApiError) || e.status === 401 || e.reason === 'Aborted' || e.reason === 'TooMany') throw e;
      perKind[i] = [];
      if (e.status === 404) result.skipped.push(ref);
      else result.gaps.push(gapOf({ group: api.group, version: api.version, kind: api.kind, resource: api.resource }, e));
    }
  };

  // Kinds in parallel (a few at a time), pages of one kind in order.
  let next = 0;
  const workers = Array.from({ length: Math.min(opts.concurrency ?? 4, wanted.length) }, async () => {
    while (next < wanted.length) await one(next++);
  });
  await Promise.all(workers);
  // Catalogue order, whatever order the kinds finished in.
  for (const list of perKind) for (const r of list) result.resources.push(r);
  result.gaps.sort((a, b) => wanted.findIndex((k) => k.kind === a.kind) - wanted.findIndex((k) => k.kind === b.kind));
  return result;
}

/** Lists one kind, page by page; calls `take` with each page's objects. */
export async function listKind(
  client: ClusterClient,
  api: ApiResource,
  pageSize: number,
  opts: Pick<ListOptions, 'onProgress' | 'signal'>,
  take: (objects: ReturnType<typeof objectsOf>) => void,
): Promise<KindListing> {
  const asTable = readsAsTable(api);
  const path = collectionPath(api);
  let restarted = false;
  for (;;) {
    let cont: string | undefined;
    let page = 0;
    let count = 0;
    let resourceVersion = '';
    const pages: ReturnType<typeof objectsOf>[] = [];
    try {
      do {
        const body = (await withRetries(() =>
          client.getJson(path, {
            query: { limit: pageSize, continue: cont, ...(asTable ? { includeObject: 'Metadata' } : {}) },
            accept: asTable ? TABLE_ACCEPT : undefined,
            signal: opts.signal,
          }),
        )) as { metadata?: { continue?: unknown; resourceVersion?: unknown } };
        const objects = objectsOf(body, api, asTable);
        pages.push(objects);
        page++;
        count += objects.length;
        if (page === 1 && typeof body?.metadata?.resourceVersion === 'string') resourceVersion = body.metadata.resourceVersion;
        cont = typeof body?.metadata?.continue === 'string' && body.metadata.continue ? body.metadata.continue : undefined;
        opts.onProgress?.({ kind: api.kind, group: api.group, version: api.version, resource: api.resource, count, page, done: !cont });
      } while (cont);
    } catch (e) {
      // An expired continue token (410): the snapshot is gone; start this kind again, once.
      if (e instanceof ClusterApiError && e.status === 410 && cont && !restarted) {
        restarted = true;
        continue;
      }
      throw e;
    }
    for (const p of pages) take(p);
    return { api, count, pages: page, resourceVersion };
  }
}

/** 429 and 503 with Retry-After are the server asking for patience: up to 3 tries. */
async function withRetries<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof ClusterApiError) || attempt >= 3 || !(e.status === 429 || (e.status === 503 && e.retryAfterSeconds !== undefined))) throw e;
      const wait = Math.min(e.retryAfterSeconds ?? 1, 10) * 1000;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

export function gapOf(where: { group: string; version: string; kind: string; resource?: string }, e: ClusterApiError): CoverageGap {
  return { ...where, reason: e.status === 403 ? 'forbidden' : 'unavailable', status: e.status, message: e.message };
}

function clampPageSize(n: number | undefined): number {
  if (n === undefined || !Number.isFinite(n)) return 500;
  return Math.min(Math.max(Math.trunc(n), 1), 10_000);
}
