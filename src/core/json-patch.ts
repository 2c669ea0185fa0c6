import type { JsonPatchOp } from './finding.js';

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`invalid JSON pointer "${pointer}"`);
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Applies an RFC 6902 patch (add, remove, replace, test) to a deep copy of `doc`. */
export function applyPatch<T>(doc: T, ops: readonly JsonPatchOp[]): T {
  let root: unknown = structuredClone(doc);
  for (const op of ops) {
    const segs = parsePointer(op.path);
    if (segs.length === 0) {
      if (op.op === 'remove') throw new Error('cannot remove the document root');
      if (op.op === 'test') {
        if (JSON.stringify(root) !== JSON.stringify(op.value)) throw new Error('test failed at root');
        continue;
      }
      root = structuredClone(op.value);
      continue;
    }
    let parent: any = root;
    for (const s of segs.slice(0, -1)) {
      parent = Array.isArray(parent) ? parent[Number(s)] : parent?.[s];
      if (parent === undefined || parent === null || typeof parent !== 'object') throw new Error(`path ${op.path} does not exist`);
    }
    const last = segs[segs.length - 1]!;
    if (Array.isArray(parent)) {
      const idx = last === '-' ? parent.length : Number(last);
      if (!Number.isInteger(idx) || idx < 0 || idx > parent.length) throw new Error(`bad array index in ${op.path}`);
      if (op.op === 'add') parent.splice(idx, 0, structuredClone(op.value));
      else if (op.op === 'remove') parent.splice(idx, 1);
      else if (op.op === 'replace') parent[idx] = structuredClone(op.value);
      else if (JSON.stringify(parent[idx]) !== JSON.stringify(op.value)) throw new Error(`test failed at ${op.path}`);
    } else {
      if ((op.op === 'remove' || op.op === 'replace') && !(last in parent)) throw new Error(`path ${op.path} does not exist`);
      if (op.op === 'add' || op.op === 'replace') parent[last] = structuredClone(op.value);
      else if (op.op === 'remove') delete parent[last];
      else if (JSON.stringify(parent[last]) !== JSON.stringify(op.value)) throw new Error(`test failed at ${op.path}`);
    }
  }
  return root as T;
}
