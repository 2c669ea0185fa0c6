import type { Control } from '../core/control.js';
import { diagnostic, PalisadeError } from '../core/errors.js';
import type { Framework } from '../frameworks/loader.js';
import { frameworkControlIds } from '../frameworks/loader.js';

export interface Selection {
  /** Run only these control ids (empty: all). */
  only?: readonly string[];
  skip?: readonly string[];
  /** Run only controls named by these frameworks (empty: all). */
  frameworks?: readonly string[];
  /** From configuration: controls switched off or on. */
  enabled?: Readonly<Record<string, boolean | undefined>>;
}

/** The controls a command runs, after --control, --skip-control, --framework and configuration. */
export function selectControls(all: readonly Control[], frameworks: ReadonlyMap<string, Framework>, sel: Selection): Control[] {
  const known = new Set(all.map((c) => c.meta.id));
  for (const id of [...(sel.only ?? []), ...(sel.skip ?? [])]) {
    if (!known.has(id)) throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: `unknown control id ${id} (see \`palisade controls\`)` }, { field: id }));
  }
  let allowed: Set<string> | undefined;
  if (sel.frameworks?.length) {
    allowed = new Set();
    for (const id of sel.frameworks) {
      const fw = frameworks.get(id);
      if (!fw) {
        throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: `unknown framework ${id}; known: ${[...frameworks.keys()].join(', ') || 'none'}` }, { field: '--framework' }));
      }
      for (const c of frameworkControlIds(fw)) allowed.add(c);
    }
  }
  const only = sel.only?.length ? new Set(sel.only) : undefined;
  const skip = new Set(sel.skip ?? []);
  return all.filter((c) => {
    const id = c.meta.id;
    if (skip.has(id)) return false;
    if (only) return only.has(id); // an explicit --control wins over configuration
    if (allowed && !allowed.has(id)) return false;
    return sel.enabled?.[id] !== false;
  });
}
