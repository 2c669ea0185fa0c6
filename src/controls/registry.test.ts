import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isSeverity } from '../core/severity.js';
import { staleDocs } from '../docs/generate.js';
import { builtinFrameworks } from '../frameworks/loader.js';
import { frameworksByControl } from '../frameworks/mapping.js';
import { allControls, CONTROLS } from './registry.js';

const SRC = join(process.cwd(), 'src', 'controls');

/** control id → source file that declares it (src/controls/<area>/<file>.ts). */
function controlSources(): Map<string, string> {
  const out = new Map<string, string>();
  for (const area of readdirSync(SRC, { withFileTypes: true })) {
    if (!area.isDirectory()) continue;
    for (const f of readdirSync(join(SRC, area.name))) {
      if (!f.endsWith('.ts') || f.endsWith('.test.ts') || f === 'index.ts') continue;
      const text = readFileSync(join(SRC, area.name, f), 'utf8');
      const m = /\bid:\s*'([A-Z0-9-]+)'/.exec(text);
      if (m && /defineControl\(/.test(text)) out.set(m[1]!, join(area.name, f));
    }
  }
  return out;
}

describe('control registry (meta-test)', () => {
  const controls = allControls();
  const sources = controlSources();

  it('is keyed by id in alphabetical order, with unique ids and slugs', () => {
    const ids = Object.keys(CONTROLS);
    assert.deepEqual(ids, [...ids].sort());
    for (const [id, c] of Object.entries(CONTROLS)) assert.equal(c.meta.id, id);
    const slugs = controls.map((c) => c.meta.slug);
    assert.equal(new Set(slugs).size, slugs.length, 'slugs are unique');
  });

  it('registers every control module, and each sits in a file named after it with a test beside it', () => {
    for (const id of sources.keys()) assert.ok(CONTROLS[id], `${id} (${sources.get(id)}) is registered in its area index`);
    for (const c of controls) {
      const file = sources.get(c.meta.id);
      assert.ok(file, `${c.meta.id} has a source file under src/controls/<area>/`);
      assert.ok(file.endsWith(`${c.meta.id.toLowerCase()}-${c.meta.slug}.ts`) || file.endsWith(`${c.meta.id.toLowerCase()}.ts`) || file.includes(c.meta.slug), `${file} is named after ${c.meta.id} ${c.meta.slug}`);
      assert.ok(existsSync(join(SRC, file.replace(/\.ts$/, '.test.ts'))), `${c.meta.id} has a test beside it (${file.replace(/\.ts$/, '.test.ts')})`);
    }
  });

  it('has complete metadata for every control', () => {
    for (const c of controls) {
      const m = c.meta;
      assert.match(m.id, /^(PAL|PSS)-[A-Z0-9-]+$/, m.id);
      assert.match(m.slug, /^[a-z0-9]+(-[a-z0-9]+)*$/, `${m.id} slug`);
      assert.ok(isSeverity(m.severity), `${m.id} severity`);
      for (const f of ['title', 'description', 'rationale', 'remediation'] as const) assert.ok(m[f] && m[f].length > 5, `${m.id} ${f}`);
      assert.match(m.category, /^[a-z][a-z-]*$/, `${m.id} category`);
      assert.ok(Object.keys(m.messages).length > 0, `${m.id} messages`);
      assert.ok(m.appliesTo.length > 0, `${m.id} appliesTo`);
    }
  });

  it('maps every control to at least one framework requirement, and every framework names existing controls', () => {
    const fws = builtinFrameworks();
    const mapping = frameworksByControl(fws);
    const unmapped = controls.filter((c) => !mapping.get(c.meta.id)?.length).map((c) => c.meta.id);
    assert.deepEqual(unmapped, [], 'controls without a framework mapping');
    const missing = [...mapping.keys()].filter((id) => !CONTROLS[id]);
    assert.deepEqual(missing, [], 'framework requirements naming missing controls');
  });

  it('keeps generated docs in sync (run `npm run docs`)', () => {
    assert.deepEqual(staleDocs(process.cwd()), []);
  });
});
