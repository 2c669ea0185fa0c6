/** The PSS catalogue, the controls and the two framework files must agree with each other. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PACKAGE_ROOT } from '../../core/version.js';
import { frameworkControlIds, parseFramework, type Framework } from '../../frameworks/loader.js';
import { checksFor, PSS_CHECKS } from './checks.js';
import { pssControls } from './index.js';
import { PSS_LATEST_MINOR } from './version.js';

function readFramework(id: string): Framework {
  const candidates = [join(PACKAGE_ROOT, 'src', 'frameworks', `${id}.yaml`), join(process.cwd(), 'src', 'frameworks', `${id}.yaml`)];
  const file = candidates.find((f) => existsSync(f));
  assert.ok(file, `framework file ${id}.yaml`);
  const { framework, diagnostics } = parseFramework(readFileSync(file, 'utf8'), `src/frameworks/${id}.yaml`);
  assert.deepEqual(diagnostics, []);
  return framework!;
}

/** "seLinuxOptions" → "SE-LINUX-OPTIONS", "capabilities_baseline" → "CAPABILITIES-BASELINE". */
function upperKebab(check: string): string {
  return check.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/_/g, '-').toUpperCase();
}

const allMinors = Array.from({ length: PSS_LATEST_MINOR + 1 }, (_, i) => i);

describe('PSS catalogue', () => {
  it('has one control per upstream check, named after the check', () => {
    assert.equal(pssControls.length, PSS_CHECKS.length);
    for (const check of PSS_CHECKS) {
      assert.equal(check.controlId, `PSS-${upperKebab(check.check)}`);
      const control = pssControls.find((c) => c.meta.id === check.controlId);
      assert.ok(control, check.controlId);
      assert.deepEqual(control.meta.pss, { level: check.level, check: check.check });
      assert.equal(control.meta.category, 'pss');
      assert.equal(control.meta.slug, check.controlId.slice(4).toLowerCase());
    }
  });

  it('latest is the newest version any check defines', () => {
    assert.equal(PSS_LATEST_MINOR, Math.max(...PSS_CHECKS.flatMap((c) => c.versions)));
  });

  it('overrides name baseline checks', () => {
    for (const c of PSS_CHECKS.filter((x) => x.overrides)) {
      assert.equal(c.level, 'restricted');
      assert.equal(PSS_CHECKS.find((x) => x.check === c.overrides)?.level, 'baseline', c.check);
    }
  });
});

describe('PSS framework files', () => {
  const baseline = readFramework('pss-baseline');
  const restricted = readFramework('pss-restricted');

  it('pss-baseline lists exactly the baseline controls', () => {
    assert.deepEqual([...frameworkControlIds(baseline)].sort(), PSS_CHECKS.filter((c) => c.level === 'baseline').map((c) => c.controlId).sort());
  });

  it('pss-restricted lists exactly the controls PSA runs at restricted at some version', () => {
    const runAtSomeVersion = new Set(allMinors.flatMap((m) => checksFor('restricted', m).map((c) => c.controlId)));
    assert.deepEqual([...frameworkControlIds(restricted)].sort(), [...runAtSomeVersion].sort());
    assert.ok(!runAtSomeVersion.has('PSS-HOST-PATH-VOLUMES'), 'restrictedVolumes replaces hostPathVolumes at every version');
  });

  it('pss-restricted carries every baseline requirement', () => {
    const ids = new Set(restricted.requirements.map((r) => r.id));
    for (const r of baseline.requirements) assert.ok(ids.has(r.id), r.id);
    assert.ok(restricted.requirements.some((r) => r.id.startsWith('restricted/')));
  });

  it('both name the latest policy version and only controls that exist', () => {
    const known = new Set(pssControls.map((c) => c.meta.id));
    for (const fw of [baseline, restricted]) {
      assert.equal(fw.version, `v1.${PSS_LATEST_MINOR}`);
      for (const id of frameworkControlIds(fw)) assert.ok(known.has(id), `${fw.id}: ${id}`);
      assert.ok(fw.requirements.every((r) => r.assessment === 'automated'));
    }
  });
});
