import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { allControls } from '../controls/registry.js';
import { parseFramework, type Framework } from './loader.js';

// Read from the source tree, not through builtinFrameworks(): the compiled tests may run from
// a directory outside the package, where the loader's package-root lookup finds nothing.
const DIR = join(process.cwd(), 'src', 'frameworks');
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();
const controlIds = new Set(allControls().map((c) => c.meta.id));

function load(file: string): Framework {
  const { framework, diagnostics } = parseFramework(readFileSync(join(DIR, file), 'utf8'), `src/frameworks/${file}`);
  assert.deepEqual(diagnostics.map((d) => `${d.line}: ${d.message}`), [], `${file} has no diagnostics`);
  assert.ok(framework, `${file} parses`);
  return framework;
}

describe('built-in framework files', () => {
  it('exist', () => {
    assert.ok(files.length > 0, `framework files under ${DIR}`);
  });

  for (const file of files) {
    describe(file, () => {
      const fw = load(file);

      it('is named after its id, with a version and publisher', () => {
        assert.equal(basename(file, '.yaml'), fw.id);
        assert.ok(fw.version.trim().length > 0);
        assert.ok(fw.publisher.trim().length > 0);
      });

      it('has unique requirement ids', () => {
        const seen = new Set<string>();
        const dups = fw.requirements.map((r) => r.id).filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
        assert.deepEqual(dups, []);
      });

      it('names only controls that exist in the registry', () => {
        const missing = fw.requirements.flatMap((r) => r.controls.filter((c) => !controlIds.has(c)).map((c) => `${r.id}: ${c}`));
        assert.deepEqual(missing, []);
      });

      it('maps every automated or partial requirement to at least one control', () => {
        const empty = fw.requirements.filter((r) => (r.assessment === 'automated' || r.assessment === 'partial') && r.controls.length === 0).map((r) => r.id);
        assert.deepEqual(empty, []);
      });

      it('lists each control at most once per requirement', () => {
        const repeated = fw.requirements.filter((r) => new Set(r.controls).size !== r.controls.length).map((r) => r.id);
        assert.deepEqual(repeated, []);
      });
    });
  }

  it('have unique framework ids', () => {
    const ids = files.map((f) => load(f).id);
    assert.equal(new Set(ids).size, ids.length);
  });
});
