/**
 * What several workload controls need to read security contexts the way the kubelet does,
 * and to write the one-field fixes they suggest.
 */
import type { JsonPatchOp } from '../../core/finding.js';
import type { Container, PodSpecView, SecurityContext } from '../../core/inventory.js';
import { toPointer, type JsonPath } from '../../core/path.js';

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The container's securityContext when it is an object (malformed input reads as unset). */
export function containerSecurityContext(c: Container): SecurityContext | undefined {
  return isPlainObject(c.securityContext) ? c.securityContext : undefined;
}

/** The pod-level securityContext when it is an object. */
export function podSecurityContext(ps: PodSpecView): SecurityContext | undefined {
  return isPlainObject(ps.spec.securityContext) ? ps.spec.securityContext : undefined;
}

/**
 * Pods declared to run on Windows nodes. Linux-only settings (runAsNonRoot semantics,
 * allowPrivilegeEscalation, readOnlyRootFilesystem, capabilities…) cannot be set there, so
 * controls about them skip these pods rather than ask for something the API rejects.
 */
export function isWindowsPod(ps: PodSpecView): boolean {
  return isPlainObject(ps.spec.os) && ps.spec.os.name === 'windows';
}

/**
 * A capability as the runtimes understand it: runtimes accept "SYS_ADMIN" and "CAP_SYS_ADMIN"
 * alike (they add the prefix), so both spellings are compared without it, upper-cased.
 */
export function capabilityName(raw: string): string {
  const up = raw.trim().toUpperCase();
  return up.startsWith('CAP_') ? up.slice(4) : up;
}

const NONE_ADDED: readonly { raw: string; name: string; index: number }[] = Object.freeze([]);

/** The entries of securityContext.capabilities.add that are strings, with their index. */
export function addedCapabilities(sc: SecurityContext | undefined): readonly { raw: string; name: string; index: number }[] {
  const caps = sc?.capabilities;
  // Most containers add none: no array made for them.
  if (!isPlainObject(caps) || !Array.isArray(caps.add) || caps.add.length === 0) return NONE_ADDED;
  const out: { raw: string; name: string; index: number }[] = [];
  caps.add.forEach((raw, index) => {
    if (typeof raw === 'string') out.push({ raw, name: capabilityName(raw), index });
  });
  return out;
}

/** True when securityContext.capabilities.add holds `name` (compared as capabilityName does). */
export function addsCapability(sc: SecurityContext | undefined, name: string): boolean {
  const caps = sc?.capabilities;
  if (!isPlainObject(caps) || !Array.isArray(caps.add)) return false;
  for (const raw of caps.add) if (typeof raw === 'string' && capabilityName(raw) === name) return true;
  return false;
}

/**
 * A JSON patch that sets `fields` (a path of object keys below `base`) to `value`, creating
 * the missing intermediate objects. `base` is the object at `basePath` (from the resource
 * root). Intermediate values that are not objects are replaced, since they are invalid anyway.
 */
export function setFieldPatch(base: Record<string, unknown>, basePath: JsonPath, fields: readonly string[], value: unknown): JsonPatchOp[] {
  let cur: Record<string, unknown> = base;
  const path: (string | number)[] = [...basePath];
  for (let i = 0; i < fields.length - 1; i++) {
    const key = fields[i]!;
    path.push(key);
    const next = cur[key];
    if (!isPlainObject(next)) {
      // Build the rest of the chain as one nested value.
      let nested: unknown = value;
      for (let j = fields.length - 1; j > i; j--) nested = { [fields[j]!]: nested };
      return [{ op: 'add', path: toPointer(path), value: nested }];
    }
    cur = next;
  }
  path.push(fields[fields.length - 1]!);
  // "add" on an existing member replaces it (RFC 6902 §4.1).
  return [{ op: 'add', path: toPointer(path), value }];
}
