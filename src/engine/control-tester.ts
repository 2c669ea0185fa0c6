import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import type { Control, ControlSettings } from '../core/control.js';
import type { Finding } from '../core/finding.js';
import { applyPatch } from '../core/json-patch.js';
import { toDotted, type JsonPath } from '../core/path.js';
import { buildInventory } from '../inventory/inventory.js';
import { DEFAULT_LIMITS, parseManifestText, type LoadResult } from '../sources/manifests.js';
import { runControls } from './engine.js';

export interface TestCase {
  /** Defaults to the first lines of the YAML. */
  name?: string;
  /** One or more YAML documents. */
  yaml: string;
  settings?: Partial<ControlSettings>;
  options?: Record<string, unknown>;
}

export interface ExpectedFinding {
  messageId: string;
  /** Dotted path (spec.containers[0].image) of the offending field. */
  path: string;
  /** Line in the test YAML, when the case pins it. */
  line?: number;
  /** Name of the resource, when a case has several. */
  resource?: string;
}

export interface InvalidCase extends TestCase {
  errors: ExpectedFinding[];
  /** When a finding carries a fix, applying it must clear that finding (default true). */
  verifyFix?: boolean;
}

export const DEFAULT_TEST_SETTINGS: ControlSettings = { allowedRegistries: [], pssVersion: 'latest' };

/** Runs one control over YAML text, as the scan does (same parser, same engine). */
export function runControlOn(control: Control, yaml: string, settings?: Partial<ControlSettings>, options?: Record<string, unknown>): Finding[] {
  const loaded: LoadResult = { resources: [], diagnostics: [], files: 0 };
  parseManifestText(yaml, 'test.yaml', false, DEFAULT_LIMITS, loaded);
  const errors = loaded.diagnostics.filter((d) => d.level === 'error');
  if (errors.length) throw new Error(`test YAML is invalid: ${errors.map((d) => `${d.line}: ${d.message}`).join('; ')}`);
  const inv = buildInventory(loaded.resources);
  const result = runControls(inv, {
    controls: [control],
    settings: { ...DEFAULT_TEST_SETTINGS, ...settings },
    controlOptions: options ? { [control.meta.id]: options } : undefined,
  });
  if (result.diagnostics.length) throw new Error(result.diagnostics.map((d) => d.message).join('; '));
  return result.findings;
}

function caseName(c: TestCase): string {
  if (c.name) return c.name;
  const firstLines = c.yaml.trim().split('\n').filter((l) => !/^\s*(apiVersion|---)/.test(l)).slice(0, 3).join(' ').replace(/\s+/g, ' ');
  return firstLines.length > 90 ? firstLines.slice(0, 87) + '...' : firstLines;
}

function summarize(fs: Finding[]) {
  return fs.map((f) => `${f.messageId} at ${toDotted(f.path)} (${f.resource.name}, line ${f.location?.line})`).join('\n  ');
}

/**
 * ESLint's RuleTester shape: `valid` cases must produce no finding; `invalid` cases must
 * produce exactly the listed findings (message id and path, optionally line).
 */
export class ControlTester {
  constructor(private readonly control: Control) {}

  run(cases: { valid: (TestCase | string)[]; invalid: InvalidCase[] }): void {
    const control = this.control;
    describe(`${control.meta.id} ${control.meta.slug}`, () => {
      it('has cases of both kinds', () => {
        assert.ok(cases.valid.length > 0, 'at least one valid case');
        assert.ok(cases.invalid.length > 0, 'at least one invalid case');
      });
      for (const raw of cases.valid) {
        const c = typeof raw === 'string' ? { yaml: raw } : raw;
        it(`valid: ${caseName(c)}`, () => {
          const fs = runControlOn(control, c.yaml, c.settings, c.options);
          assert.equal(fs.length, 0, `expected no findings, got:\n  ${summarize(fs)}`);
        });
      }
      for (const c of cases.invalid) {
        it(`invalid: ${caseName(c)}`, () => {
          const fs = runControlOn(control, c.yaml, c.settings, c.options);
          const actual = fs.map((f) => `${f.messageId} @ ${toDotted(f.path)}`).sort();
          const expected = c.errors.map((e) => `${e.messageId} @ ${e.path}`).sort();
          assert.deepEqual(actual, expected, `findings differ; got:\n  ${summarize(fs)}`);
          for (const e of c.errors) {
            const f = fs.find((x) => x.messageId === e.messageId && toDotted(x.path) === e.path && (!e.resource || x.resource.name === e.resource));
            assert.ok(f, `finding ${e.messageId} @ ${e.path}${e.resource ? ` on ${e.resource}` : ''}`);
            assert.ok(f.location && f.location.line >= 1, 'finding has a location');
            if (e.line !== undefined) assert.equal(f.location!.line, e.line, `line of ${e.messageId} @ ${e.path}`);
            assert.ok(!/\{\{\w+\}\}/.test(f.message), `message has no unfilled placeholder: ${f.message}`);
          }
          if (c.verifyFix !== false) verifyFixes(control, c, fs);
        });
      }
    });
  }
}

/** Applying a finding's fix to its object must make that finding go away. */
function verifyFixes(control: Control, c: InvalidCase, fs: Finding[]) {
  const withFix = fs.filter((f) => f.fix);
  if (!withFix.length) return;
  const loaded: LoadResult = { resources: [], diagnostics: [], files: 0 };
  parseManifestText(c.yaml, 'test.yaml', false, DEFAULT_LIMITS, loaded);
  for (const f of withFix) {
    const r = loaded.resources.find((x) => x.key === f.resource.key);
    assert.ok(r, 'resource of the finding');
    const patched = applyPatch(r.object, f.fix!);
    const after = runControlOn(control, stringify(patched), c.settings, c.options);
    const still = after.find((x) => x.messageId === f.messageId && samePath(x.path, f.path));
    assert.equal(still, undefined, `fix for ${f.messageId} @ ${toDotted(f.path)} did not clear it: ${JSON.stringify(f.fix)}`);
  }
}

function samePath(a: JsonPath, b: JsonPath) {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}
