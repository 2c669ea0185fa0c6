/** A JSON path from the root of a Kubernetes object: keys and array indexes. */
export type JsonPath = readonly (string | number)[];

/** RFC 6901 JSON pointer for a path. */
export function toPointer(path: JsonPath): string {
  if (path.length === 0) return '';
  return '/' + path.map((s) => String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

/** Human form: spec.containers[0].securityContext.privileged */
export function toDotted(path: JsonPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
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
