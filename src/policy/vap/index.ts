/**
 * ValidatingAdmissionPolicy, evaluated offline the way the API server evaluates it at
 * admission. `evaluateVap` is the entry point for one request (the admission webhook uses
 * it with the AdmissionReview's request); `vapControl` turns a policy × binding into a
 * control for scans.
 */
export { evaluateVap, errorMessage, PER_CALL_BUDGET, RUNTIME_BUDGET, VALIDATION_FAILURE_ANNOTATION } from './evaluate.js';
export type { FailureKind, ParamIdentity, VapDecision, VapEnvironment, VapFailure, VapInput, VapResult } from './evaluate.js';
export { annotation, vapControl, vapControlId, VAP_DOCS, type OutcomeListener, type PolicyOutcome, type VapControlOptions } from './control.js';
export { matchResources, type MatchEnvironment, type MatchResult } from './match.js';
export { collectParams, NO_PARAMS, paramSourceOf, type ParamSource } from './params.js';
export { isVapBindingDocument, isVapDocument, parseValidatingAdmissionPolicy, parseValidatingAdmissionPolicyBinding, VAP_API_GROUP, type Problem } from './parse.js';
export { admissionAttributes, admissionRequest, OFFLINE_USER, type AdmissionAttributes, type AdmissionInput, type UserInfo } from './request.js';
export { guessResource, parseApiVersion, ResourceCatalog, type GroupVersionKind, type GroupVersionResource, type ResourceInfo } from './resources.js';
export type * from './types.js';
