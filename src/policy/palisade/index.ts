/** Palisade policy files (kind: Policy) and policy test suites (kind: PolicyTest). */
export { palisadeControl, staticMatch, type PalisadeControlOptions } from './control.js';
export { isPalisadePolicyDocument, parseFieldPath, parsePalisadePolicy, PALISADE_POLICY_API, POLICY_SCHEMA, WORKLOAD_VARIABLES, type PalisadePolicy, type PolicyMatch, type PolicyValidation } from './policy.js';
export { compileExpression, EvaluationScope, variableReferences, type CompiledExpression, type Outcome, type ResultType, type VariableDefinition } from './expressions.js';
export { policyDiagnostic, type PolicyErrorCode } from './diagnostics.js';
export { celDiagnostic, fieldDiagnostic, SourceFiles } from './yaml-source.js';
export { findResources, isPolicyTestDocument, POLICY_TEST_SCHEMA, resolvePolicy, runPolicyTestFile, type SuiteReport, type SuiteRow } from './suites.js';
