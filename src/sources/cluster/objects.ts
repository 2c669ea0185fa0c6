/**
 * Turning what the API server returns into Resources: list items lack apiVersion and kind,
 * managedFields are noise, and Secrets are read as metadata only (a Table row), so their
 * values never leave the API server.
 */
import type { K8sObject } from '../../core/resource.js';
import { makeResource, type Resource } from '../../core/resource.js';
import type { ApiResource } from './discovery.js';

/**
 * Secrets are listed as a Table with the object's metadata: the Type column and the metadata
 * are all any control reads, and the values stay on the server.
 */
export const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io';

/** Kinds read as metadata-only Tables. */
export function readsAsTable(r: ApiResource): boolean {
  return r.group === '' && r.kind === 'Secret';
}

/** Annotations that may carry a Secret's values (kubectl apply keeps the whole object there). */
const VALUE_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration'];

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** One list item (or watch object) as a K8sObject with apiVersion and kind, without managedFields. */
export function normalizeItem(item: unknown, r: ApiResource): K8sObject | undefined {
  if (!isObj(item)) return undefined;
  const meta = isObj(item.metadata) ? { ...item.metadata } : {};
  delete meta.managedFields;
  const out: K8sObject = { ...item, apiVersion: r.apiVersion, kind: r.kind, metadata: meta };
  // Key order as in `kubectl get -o yaml`, so evidence and fixes read the same.
  return { apiVersion: out.apiVersion, kind: out.kind, metadata: out.metadata, ...withoutHead(out) } as K8sObject;
}

function withoutHead(o: Obj): Obj {
  const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = o;
  return rest;
}

/** Objects of a metadata-only Table (a list page or one watch event's object). */
export function tableObjects(table: unknown, r: ApiResource): K8sObject[] {
  if (!isObj(table) || !Array.isArray(table.rows)) return [];
  const columns = Array.isArray(table.columnDefinitions) ? (table.columnDefinitions as Obj[]) : [];
  const typeColumn = columns.findIndex((c) => c.name === 'Type');
  const out: K8sObject[] = [];
  for (const row of table.rows as unknown[]) {
    if (!isObj(row) || !isObj(row.object) || !isObj(row.object.metadata)) continue;
    const cells = Array.isArray(row.cells) ? row.cells : [];
    out.push(metadataOnly(row.object.metadata as Obj, r, typeColumn >= 0 ? cells[typeColumn] : undefined));
  }
  return out;
}

/**
 * A Secret reduced to what controls may read: metadata (without annotations that copy
 * the values) and type. Also applied when a server answers a Table request with full objects.
 */
export function metadataOnly(metadata: Obj, r: ApiResource, type: unknown): K8sObject {
  const meta = { ...metadata };
  delete meta.managedFields;
  if (isObj(meta.annotations)) {
    const annotations = { ...meta.annotations };
    for (const a of VALUE_ANNOTATIONS) delete annotations[a];
    meta.annotations = annotations;
  }
  const obj: K8sObject = { apiVersion: r.apiVersion, kind: r.kind, metadata: meta };
  if (typeof type === 'string') obj.type = type;
  return obj;
}

/** The objects of a list page or watch object, whatever form the server answered in. */
export function objectsOf(body: unknown, r: ApiResource, asTable: boolean): K8sObject[] {
  if (!isObj(body)) return [];
  if (body.kind === 'Table') return tableObjects(body, r);
  const items = Array.isArray(body.items) ? body.items : [body];
  const out: K8sObject[] = [];
  for (const item of items) {
    if (!isObj(item)) continue;
    if (asTable) out.push(metadataOnly(isObj(item.metadata) ? item.metadata : {}, r, item.type));
    else {
      const o = normalizeItem(item, r);
      if (o) out.push(o);
    }
  }
  return out;
}

export function clusterResource(object: K8sObject, cluster: string): Resource {
  const meta = object.metadata ?? {};
  return makeResource(object, {
    type: 'cluster',
    cluster,
    uid: typeof meta.uid === 'string' ? meta.uid : undefined,
    resourceVersion: typeof meta.resourceVersion === 'string' ? meta.resourceVersion : undefined,
  });
}
