/**
 * How Pod Security Admission reads pod fields, for the PSS checks.
 *
 * PSA runs on typed Go objects: an absent field and an explicit `null` are both nil, and
 * a pointer field that is present is "set" whatever its value (an empty struct, an empty
 * string). These helpers give the manifest the same reading, so `seccompProfile: {}` is
 * "set with an empty type" while `seccompProfile: null` is "not set".
 */
import type { ContainerView, PodSpecView, SecurityContext } from '../../core/inventory.js';
import type { JsonPath } from '../../core/path.js';
import { toPointer } from '../../core/path.js';
import type { JsonPatchOp } from '../../core/finding.js';
import { pathUnder } from '../finding-path.js';

export type Obj = Record<string, unknown>;

export function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A field is set when present and not null (Go: non-nil). */
export function isSet(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/** The container's securityContext when it is an object. */
export function containerSecurityContext(c: ContainerView): SecurityContext | undefined {
  const sc = c.container.securityContext;
  return isObject(sc) ? (sc as SecurityContext) : undefined;
}

/** The pod's securityContext when it is an object. */
export function podSecurityContext(ps: PodSpecView): (SecurityContext & Obj) | undefined {
  const sc = ps.spec.securityContext;
  return isObject(sc) ? (sc as SecurityContext & Obj) : undefined;
}

type Segment = string | number;

/**
 * `prefix` + securityContext + up to three keys (no rest array: these run for most findings).
 */
function securityContextPath(prefix: JsonPath, a?: Segment, b?: Segment, c?: Segment): JsonPath {
  return pathUnder(prefix, 'securityContext', a, b, c);
}

export function podSecurityContextPath(ps: PodSpecView, a?: Segment, b?: Segment, c?: Segment): JsonPath {
  return securityContextPath(ps.path, a, b, c);
}

export function containerSecurityContextPath(c: ContainerView, a?: Segment, b?: Segment, d?: Segment): JsonPath {
  return securityContextPath(c.path, a, b, d);
}

/** Path of a pod annotation (template metadata for controllers). */
export function annotationPath(ps: PodSpecView, key: string): JsonPath {
  return pathUnder(ps.podMetadataPath, 'annotations', key);
}

/** spec.os.name is "windows": from policy v1.25 some restricted checks exempt such pods. */
export function isWindowsPod(ps: PodSpecView): boolean {
  const os = ps.spec.os;
  return isObject(os) && os.name === 'windows';
}

/** spec.hostUsers is explicitly false: the pod runs in its own user namespace. */
export function inUserNamespace(ps: PodSpecView): boolean {
  return ps.spec.hostUsers === false;
}

/** The container's name as PSA sees it (empty when missing). */
export function rawContainerName(c: ContainerView): string {
  return typeof c.container.name === 'string' ? c.container.name : '';
}

/**
 * A patch that sets securityContext.<key> of the container to `value`, creating the
 * securityContext when it is missing (or not an object).
 */
export function setInContainerSecurityContext(c: ContainerView, key: string, value: unknown): JsonPatchOp[] {
  const sc = containerSecurityContext(c);
  if (sc) return [{ op: 'add', path: toPointer(containerSecurityContextPath(c, key)), value }];
  return [{ op: 'add', path: toPointer(containerSecurityContextPath(c)), value: { [key]: value } }];
}

/** Human form of a value for a message: strings quoted, the rest as JSON. */
export function shown(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
}
