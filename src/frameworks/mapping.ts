import type { Framework } from './loader.js';

export interface RequirementRef {
  framework: string;
  requirement: string;
}

/** Reverse index: control id → the framework requirements it evidences. */
export function frameworksByControl(frameworks: ReadonlyMap<string, Framework>): Map<string, RequirementRef[]> {
  const out = new Map<string, RequirementRef[]>();
  for (const fw of frameworks.values()) {
    for (const r of fw.requirements) {
      for (const c of r.controls) {
        const list = out.get(c) ?? [];
        list.push({ framework: fw.id, requirement: r.id });
        out.set(c, list);
      }
    }
  }
  return out;
}
