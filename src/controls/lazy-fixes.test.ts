import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Control, ReportDescriptor } from '../core/control.js';
import type { Finding } from '../core/finding.js';
import type { Resource } from '../core/resource.js';
import { PACKAGE_ROOT } from '../core/version.js';
import { runControls } from '../engine/engine.js';
import { buildInventory } from '../inventory/inventory.js';
import { DEFAULT_LIMITS, loadManifests, parseManifestText, type LoadResult } from '../sources/manifests.js';
import { INSECURE_CONTROL_PLANE } from './control-plane/__fixtures__/static-pods.js';
import { allControls } from './registry.js';

/*
 * The admission webhook runs every control on every review without fixes (RunOptions.fixes:
 * false), so controls hand their patches over as functions the engine calls only when fixes
 * are wanted. These tests pin that, and that leaving fixes out changes nothing else.
 */

/** Objects every fix-writing control finds something in, beside the examples. */
const EXTRA = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: baseline
---
apiVersion: v1
kind: Pod
metadata:
  name: lax
  namespace: shop
spec:
  hostNetwork: true
  automountServiceAccountToken: true
  containers:
    - name: app
      image: registry.example.com/shop/app:1.2
      imagePullPolicy: IfNotPresent
      securityContext:
        privileged: true
    - name: side
      image: registry.example.com/shop/side:1.0
      securityContext:
        capabilities:
          drop: [NET_RAW]
    - name: plain
      image: registry.example.com/shop/plain:1.0
`;

/** Controls whose fixes this test expects to see built (helper "ctla" owns data/ and network/). */
const FIXERS = [
  'PAL-ADM-006', 'PAL-CP-010', 'PAL-CP-015', 'PAL-CP-019', 'PAL-CP-027', 'PAL-POD-001', 'PAL-POD-002', 'PAL-POD-005',
  'PAL-POD-007', 'PAL-POD-008', 'PAL-POD-013', 'PSS-ALLOW-PRIVILEGE-ESCALATION', 'PSS-CAPABILITIES-RESTRICTED', 'PSS-SECCOMP-PROFILE-RESTRICTED',
];

function resources(): Resource[] {
  const loaded = loadManifests(['storefront', 'legacy'], { root: join(PACKAGE_ROOT, 'examples'), render: false, workers: 0 });
  const extra: LoadResult = { resources: [], diagnostics: [], files: 0 };
  parseManifestText(INSECURE_CONTROL_PLANE, 'control-plane.yaml', false, DEFAULT_LIMITS, extra);
  parseManifestText(EXTRA, 'extra.yaml', false, DEFAULT_LIMITS, extra);
  assert.deepEqual(extra.diagnostics.filter((d) => d.level === 'error'), []);
  return [...loaded.resources, ...extra.resources];
}

/** The control, with every report() descriptor it makes recorded. */
function recording(control: Control, seen: [string, ReportDescriptor][]): Control {
  return {
    meta: control.meta,
    check: (ctx) =>
      control.check({
        settings: ctx.settings,
        options: ctx.options,
        report(d) {
          seen.push([control.meta.id, d]);
          ctx.report(d);
        },
      }),
  };
}

const SETTINGS = { allowedRegistries: [], pssVersion: 'latest' };

describe('fixes are built only when wanted', () => {
  const inv = buildInventory(resources());
  const controls = allControls();

  it('controls (outside data/ and network/) pass each fix as a function', () => {
    const seen: [string, ReportDescriptor][] = [];
    const ours = controls.filter((c) => c.meta.category !== 'data' && c.meta.category !== 'network');
    runControls(inv, { controls: ours.map((c) => recording(c, seen)), settings: SETTINGS });
    const eager = seen.filter(([, d]) => Array.isArray(d.fix)).map(([id]) => id);
    assert.deepEqual([...new Set(eager)], [], 'controls that build a fix eagerly');
    const fixers = new Set(seen.filter(([, d]) => d.fix !== undefined).map(([id]) => id));
    for (const id of FIXERS) assert.ok(fixers.has(id), `${id} offered no fix on the test objects`);
  });

  it('a run without fixes reports the same findings, only without fix', () => {
    const withFixes = runControls(inv, { controls, settings: SETTINGS }).findings;
    const without = runControls(inv, { controls, settings: SETTINGS }, { fixes: false }).findings;
    assert.ok(withFixes.filter((f) => f.fix).length >= FIXERS.length);
    assert.equal(without.filter((f) => f.fix !== undefined).length, 0);
    const strip = (fs: Finding[]) => fs.map(({ fix: _fix, ...rest }) => rest);
    assert.deepEqual(strip(without), strip(withFixes));
  });

  it('findings fixed by one pod-level patch share it, as before', () => {
    const seccomp = controls.filter((c) => c.meta.id === 'PSS-SECCOMP-PROFILE-RESTRICTED');
    const found = runControls(buildInventory(resources().filter((r) => r.name === 'lax')), { controls: seccomp, settings: SETTINGS }).findings;
    assert.equal(found.length, 3);
    assert.ok(found[0]!.fix && found.every((f) => f.fix === found[0]!.fix));
  });
});
