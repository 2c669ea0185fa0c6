/**
 * Kyverno-compatible policy evaluation, offline: ClusterPolicy / Policy validate rules
 * against resources, the `kyverno test` runner, and Kyverno policies as Palisade controls.
 */
export { compilePolicy, evaluatePolicy, isKyvernoPolicy, failureActionFor, PolicyFormatError, MAX_FOREACH_ELEMENTS, MAX_FOREACH_TOTAL, type CompiledPolicy } from './engine.js';
export { computeRules, canAutogen, AUTOGEN_ANNOTATION } from './autogen.js';
export { runKyvernoTestSuite, formatKyvernoTestReport, findTestFiles, TEST_FILE_NAME, type KyvernoTestReport, type KyvernoTestFileReport, type KyvernoTestCase, type CaseOutcome } from './test-runner.js';
export { kyvernoPolicyToControls, convertKyvernoPolicy, kyvernoControlId, type PolicyOrigin, type ConvertedKyvernoPolicy, type KyvernoControlOptions } from './controls.js';
export { setCelBackend, celBackend, type CelBackend, type CelProgram } from './cel.js';
export { jmesSearch, JmesPathError, MAX_EXPRESSION_LENGTH } from './jmespath.js';
export { PSS_CONTROL_NAMES } from './pod-security.js';
export type { RuleResult, RuleStatus, RuleType, FailureAction, ResourceRef, EvaluateOptions, KyvernoPolicyDoc } from './types.js';
export type { RequestInfo, UserInfo, SubresourceMapping } from './match.js';
