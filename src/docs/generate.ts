import { mkdirSync, readdirSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { allControls } from '../controls/registry.js';
import { builtinFrameworks } from '../frameworks/loader.js';
import { frameworksByControl } from '../frameworks/mapping.js';
import { COMMANDS } from '../cli/commands.js';
import { PACKAGE_ROOT } from '../core/version.js';
import { cliDoc, controlDoc, controlsIndex, errorsDoc, frameworkDoc, frameworksIndex } from './render.js';
import { ERRORS, EXIT } from '../core/errors.js';

/** Every generated page: relative path → content. */
export function generatedDocs(): Map<string, string> {
  const out = new Map<string, string>();
  const controls = allControls();
  const fws = [...builtinFrameworks().values()];
  const titles = new Map(fws.map((f) => [f.id, f.title]));
  const mapping = frameworksByControl(builtinFrameworks());
  for (const c of controls) out.set(`docs/controls/${c.meta.id}.md`, controlDoc(c, mapping.get(c.meta.id) ?? [], titles));
  out.set('docs/controls/README.md', controlsIndex(controls));
  const byId = new Map(controls.map((c) => [c.meta.id, c]));
  for (const f of fws) out.set(`docs/frameworks/${f.id}.md`, frameworkDoc(f, byId));
  out.set('docs/frameworks/README.md', frameworksIndex(fws));
  out.set('docs/errors.md', errorsDoc(ERRORS, EXIT));
  out.set('docs/cli.md', cliDoc(Object.values(COMMANDS).map((c) => c.spec)));
  return out;
}

/** Pages that differ from what is on disk (for the meta-test). */
export function staleDocs(root = PACKAGE_ROOT): string[] {
  const stale: string[] = [];
  const docs = generatedDocs();
  for (const [rel, text] of docs) {
    const p = join(root, rel);
    if (!existsSync(p) || readFileSync(p, 'utf8') !== text) stale.push(rel);
  }
  for (const dir of ['docs/controls', 'docs/frameworks']) {
    if (!existsSync(join(root, dir))) continue;
    for (const f of readdirSync(join(root, dir))) if (!docs.has(`${dir}/${f}`)) stale.push(`${dir}/${f} (no longer generated)`);
  }
  return stale;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const docs = generatedDocs();
  for (const dir of ['docs/controls', 'docs/frameworks']) {
    rmSync(join(PACKAGE_ROOT, dir), { recursive: true, force: true });
    mkdirSync(join(PACKAGE_ROOT, dir), { recursive: true });
  }
  for (const [rel, text] of docs) writeFileSync(join(PACKAGE_ROOT, rel), text);
  console.log(`wrote ${docs.size} pages`);
}
