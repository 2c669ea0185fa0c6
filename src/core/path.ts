/** A JSON path from the root of a Kubernetes object: keys and array indexes. */
export type JsonPath = readonly (string | number)[];

/** RFC 6901 JSON pointer for a path. */
export function toPointer(path: JsonPath): string {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const s = String(path[i]);
    // Escaping only when needed: fixes are built for every finding, and keys rarely hold ~ or /.
    out += '/' + (s.includes('~') || s.includes('/') ? s.replace(/~/g, '~0').replace(/\//g, '~1') : s);
  }
  return out;
}

/** Human form: spec.containers[0].securityContext.privileged */
export function toDotted(path: JsonPath): string {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    if (typeof seg === 'number') out += seg >= 0 && seg < INDEXES.length && Number.isInteger(seg) ? INDEXES[seg]! : `[${seg}]`;
    else {
      const piece = keyPiece(seg);
      // A plain first key has no leading dot.
      out += out === '' && piece.charCodeAt(0) === 46 ? seg : piece;
    }
  }
  return out;
}

/** "[0]" … "[63]": most array indexes in paths are small. */
const INDEXES = Array.from({ length: 64 }, (_, i) => `[${i}]`);

/**
 * What a key adds to a dotted path (".key", or ["key"] when it is not a plain name), per key
 * string: keys repeat across findings (spec, containers, securityContext, …), and the webhook
 * writes a path for every finding. Keys from objects (annotation names, …) are many, so the
 * table stops growing at a bound.
 */
const keyPieces = new Map<string, string>();

function keyPiece(key: string): string {
  let piece = keyPieces.get(key);
  if (piece === undefined) {
    piece = isPlainKey(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
    if (keyPieces.size < 4096) keyPieces.set(key, piece);
  }
  return piece;
}

/** /^[A-Za-z_$][\w$-]*$/ without a regular expression: the webhook writes a path for every finding. */
function isPlainKey(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36; // A-Z a-z _ $
    if (letter || (i > 0 && ((c >= 48 && c <= 57) || c === 45))) continue; // then also 0-9 -
    return false;
  }
  return true;
}

/** The value at `path` in `obj`, or undefined. */
export function getAt(obj: unknown, path: JsonPath): unknown {
  let cur: unknown = obj;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}
