import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CliIO, OptionSpec, ParsedArgs } from './command.js';
import type { Control, ControlSettings } from '../core/control.js';
import { EMPTY_CONFIG, type PalisadeConfig } from '../core/config.js';
import { diagnostic, EXIT, PalisadeError, type Diagnostic } from '../core/errors.js';
import type { Severity } from '../core/severity.js';
import { allControls } from '../controls/registry.js';
import { pssControlsFor } from '../controls/pss/index.js';
import { ExceptionSet } from '../engine/exceptions.js';
import { selectControls } from '../engine/selection.js';
import { builtinFrameworks, type Framework } from '../frameworks/loader.js';
import { loadPolicies, withPolicyMappings } from '../policy/index.js';
import { loadConfig } from '../sources/config-file.js';
import { loadExceptions } from '../sources/exceptions-file.js';

/**
 * The options every command that judges objects shares (scan, admission serve, …), so the
 * same object gets the same decision whichever command judges it.
 */
export const JUDGING_OPTIONS: readonly OptionSpec[] = [
  { name: 'config', short: 'c', type: 'string', valueName: 'FILE', description: 'Configuration file. Default: .palisade.yaml in the current directory, when present.' },
  { name: 'control', type: 'string', multiple: true, valueName: 'ID', description: 'Run only this control.' },
  { name: 'skip-control', type: 'string', multiple: true, valueName: 'ID', description: 'Do not run this control.' },
  { name: 'framework', type: 'string', multiple: true, valueName: 'ID', description: 'Run only the controls of this framework (see `palisade frameworks`).', config: 'frameworks' },
  { name: 'pss-version', type: 'string', valueName: 'VERSION', description: 'Pod Security Standards version (v1.0 … latest).', config: 'pssVersion' },
  { name: 'allowed-registry', type: 'string', multiple: true, valueName: 'REGISTRY', description: 'Registry or registry/path prefix images may come from.', config: 'allowedRegistries' },
  { name: 'policy', short: 'p', type: 'string', multiple: true, valueName: 'PATH', description: 'Policy file or directory: Palisade policies, ValidatingAdmissionPolicies with bindings and params, Kyverno policies (docs/policies.md).', config: 'policies' },
  { name: 'exceptions', short: 'e', type: 'string', multiple: true, valueName: 'FILE', description: 'Exceptions file (accepted risks with owner, approver and expiry); see docs/exceptions.md.', config: 'exceptions' },
];

export interface Judging {
  config: PalisadeConfig;
  controls: Control[];
  settings: ControlSettings;
  controlOptions: Record<string, Record<string, unknown>>;
  severityOverrides: Record<string, Severity>;
  exceptions: ExceptionSet;
  /** Frameworks to report status for: the selected ones, or all. */
  frameworks: Framework[];
  /** Problems with exceptions files (the configuration itself must be valid). */
  diagnostics: Diagnostic[];
}

export function str(v: ParsedArgs['values'][string]): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
export function list(v: ParsedArgs['values'][string]): string[] {
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

/** Resolves configuration file + options into the controls, settings and exceptions to judge with. */
export function resolveJudging(args: ParsedArgs, io: CliIO): Judging {
  const v = args.values;
  const builtin = allControls();
  const builtinIds = new Set(builtin.map((c) => c.meta.id));
  const configFile = str(v.config) ?? (existsSync(resolve(io.cwd, '.palisade.yaml')) ? '.palisade.yaml' : undefined);
  // Policies may be named by the configuration, and the configuration may name policy
  // controls: read it once for the policy paths, then validate it against every control.
  const anyId = { has: () => true } as unknown as ReadonlySet<string>;
  const policyPaths = list(v.policy).length ? list(v.policy) : configFile ? loadConfig(resolve(io.cwd, configFile), anyId).config.policies : [];
  const policies = policyPaths.length
    ? loadPolicies(policyPaths, io.cwd, { reservedIds: builtinIds })
    : { controls: [], frameworkRefs: new Map(), diagnostics: [] };
  const all = [...builtin, ...policies.controls];
  const known = new Map(all.map((c) => [c.meta.id, c.meta.optionsSchema]));
  let config: PalisadeConfig = EMPTY_CONFIG;
  if (configFile) {
    const loaded = loadConfig(resolve(io.cwd, configFile), known);
    config = loaded.config;
    // Configuration problems are usage errors: report them and stop before judging anything.
    if (loaded.diagnostics.length) throw new PalisadeError(loaded.diagnostics[0]!, EXIT.input, loaded.diagnostics);
  }
  const pssVersion = str(v['pss-version']) ?? config.pssVersion ?? 'latest';
  if (!/^(latest|v?1\.\d+)$/.test(pssVersion)) {
    throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: `--pss-version: expected "latest" or a version like v1.30, got "${pssVersion}"` }, { field: '--pss-version' }));
  }
  const enabled: Record<string, boolean | undefined> = {};
  const severityOverrides: Record<string, Severity> = {};
  const controlOptions: Record<string, Record<string, unknown>> = {};
  for (const [id, s] of Object.entries(config.controls)) {
    enabled[id] = s.enabled;
    if (s.severity) severityOverrides[id] = s.severity;
    if (s.options) controlOptions[id] = s.options;
  }
  const frameworkIds = list(v.framework).length ? list(v.framework) : config.frameworks;
  const mapped = withPolicyMappings(builtinFrameworks(), policies.frameworkRefs);
  const frameworks = mapped.frameworks;
  let controls = selectControls(all, frameworks, { only: list(v.control), skip: list(v['skip-control']), frameworks: frameworkIds, enabled });
  // Pod Security Admission replaces some baseline checks by their restricted forms from a
  // given version on; a restricted selection runs exactly the checks PSA runs at that version.
  const pssLevel = frameworkIds.includes('pss-restricted') ? 'restricted' : frameworkIds.includes('pss-baseline') ? 'baseline' : undefined;
  if (pssLevel) {
    const atVersion = new Set(pssControlsFor(pssLevel, pssVersion).map((c) => c.meta.id));
    controls = controls.filter((c) => c.meta.category !== 'pss' || atVersion.has(c.meta.id));
  }
  const diagnostics: Diagnostic[] = [...policies.diagnostics];
  for (const u of mapped.unknown) {
    diagnostics.push(diagnostic('PALISADE_POLICY_INVALID', { field: 'frameworks', detail: `${u.control} names ${u.framework} requirement ${u.requirement}, which does not exist` }, { level: 'warning' }));
  }
  const exceptionFiles = list(v.exceptions).length ? list(v.exceptions) : config.exceptions ? [config.exceptions] : [];
  const exceptions = [];
  for (const f of exceptionFiles) {
    const loaded = loadExceptions(resolve(io.cwd, f), f, new Set(known.keys()));
    exceptions.push(...loaded.exceptions);
    diagnostics.push(...loaded.diagnostics);
  }
  return {
    config,
    controls,
    settings: { allowedRegistries: [...config.allowedRegistries, ...list(v['allowed-registry'])], pssVersion },
    controlOptions,
    severityOverrides,
    exceptions: new ExceptionSet(exceptions, io.now?.() ?? new Date()),
    frameworks: frameworkIds.length ? frameworkIds.map((id) => frameworks.get(id)!) : [...frameworks.values()],
    diagnostics,
  };
}
