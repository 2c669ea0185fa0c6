import type { JsonPath } from './path.js';
import type { Location } from './resource.js';
import type { Severity } from './severity.js';

/** RFC 6902 operation; paths are JSON pointers relative to the object root. */
export type JsonPatchOp =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string };

export type FindingStatus = 'fail' | 'excepted' | 'pass' | 'skip';

export interface FindingResourceRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  key: string;
}

export interface ExceptionRef {
  /** id of the exception entry, or "annotation" when the resource opted out itself. */
  id: string;
  reason: string;
  owner?: string;
  expires?: string;
}

/** One control × resource × path. */
export interface Finding {
  controlId: string;
  severity: Severity;
  status: FindingStatus;
  messageId: string;
  message: string;
  resource: FindingResourceRef;
  /** Path of the offending field, from the object root. */
  path: JsonPath;
  /** Where the offending field (or its nearest existing parent) is in the source. */
  location?: Location;
  /** The observed value, redacted when it could be secret. */
  evidence?: unknown;
  /** A JSON patch that fixes the finding, when one is safe. */
  fix?: JsonPatchOp[];
  /** Stable across scans: same control, resource identity, path and message id. */
  fingerprint: string;
  exception?: ExceptionRef;
}

/** Stable report order of findings, shared by scans and the store: file, line, column, control id, fingerprint. */
export function compareFindings(a: Finding, b: Finding): number {
  const fa = a.location?.file ?? '';
  const fb = b.location?.file ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  const la = a.location?.line ?? 0;
  const lb = b.location?.line ?? 0;
  if (la !== lb) return la - lb;
  const ca = a.location?.column ?? 0;
  const cb = b.location?.column ?? 0;
  if (ca !== cb) return ca - cb;
  if (a.controlId !== b.controlId) return a.controlId < b.controlId ? -1 : 1;
  return a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0;
}
