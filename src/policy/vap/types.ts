/**
 * ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding (admissionregistration.k8s.io
 * v1, v1beta1, v1alpha1) after validation and defaulting, as the API server stores them.
 */
import type { LabelSelector } from '../../core/inventory.js';
import type { JsonPath } from '../../core/path.js';
import type { K8sObject } from '../../core/resource.js';
import type { CompiledExpression, VariableDefinition } from '../palisade/expressions.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
export type FailurePolicy = 'Fail' | 'Ignore';
export type ValidationAction = 'Deny' | 'Warn' | 'Audit';
export type MatchPolicy = 'Exact' | 'Equivalent';
export type RuleScope = '*' | 'Cluster' | 'Namespaced';

export interface NamedRuleWithOperations {
  apiGroups: string[];
  apiVersions: string[];
  resources: string[];
  operations: string[];
  scope: RuleScope;
  resourceNames: string[];
}

export interface MatchResources {
  /** Defaulted to {} (everything). */
  namespaceSelector: LabelSelector;
  objectSelector: LabelSelector;
  resourceRules: NamedRuleWithOperations[];
  excludeResourceRules: NamedRuleWithOperations[];
  /** Defaulted to Equivalent. */
  matchPolicy: MatchPolicy;
}

export interface Validation {
  expression: CompiledExpression;
  message?: string;
  messageExpression?: CompiledExpression;
  reason?: string;
  /** Path of the validation in the policy document (for diagnostics). */
  path: JsonPath;
}

export interface AuditAnnotation {
  key: string;
  valueExpression: CompiledExpression;
}

export interface MatchCondition {
  name: string;
  expression: CompiledExpression;
}

export interface ValidatingAdmissionPolicy {
  name: string;
  object: K8sObject;
  failurePolicy: FailurePolicy;
  paramKind?: { apiVersion: string; kind: string };
  matchConstraints: MatchResources;
  matchConditions: MatchCondition[];
  variables: VariableDefinition[];
  validations: Validation[];
  auditAnnotations: AuditAnnotation[];
}

export interface ParamRef {
  name?: string;
  namespace?: string;
  selector?: LabelSelector;
  parameterNotFoundAction?: 'Allow' | 'Deny';
}

export interface ValidatingAdmissionPolicyBinding {
  name: string;
  object: K8sObject;
  policyName: string;
  paramRef?: ParamRef;
  /** Absent: every resource the policy matches. */
  matchResources?: MatchResources;
  validationActions: ValidationAction[];
}
