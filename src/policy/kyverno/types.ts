/** The nouns of Palisade's Kyverno support: policies, rule results, evaluation options. */
import type { JsonPath } from '../../core/path.js';
import type { K8sObject } from '../../core/resource.js';
import type { RequestInfo, SubresourceMapping } from './match.js';
import type { PodSecurityCheck } from './pod-security.js';

export type RuleStatus = 'pass' | 'fail' | 'skip' | 'error' | 'warn';
export type RuleType = 'Validation' | 'Mutation' | 'Generation' | 'ImageVerify';
export type FailureAction = 'Audit' | 'Enforce';

export interface ResourceRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** One rule × one resource, like one result of `kyverno apply` / a PolicyReport entry. */
export interface RuleResult {
  /** Policy name; "namespace/name" for a namespaced Policy. */
  policy: string;
  rule: string;
  resource: ResourceRef;
  /** pass | fail | skip | error, or warn for a failure of a policy marked not scored. */
  status: RuleStatus;
  message: string;
  /** Path of the failing field from the resource root, where it can be derived. */
  path?: JsonPath;
  ruleType: RuleType;
  /** For generated rules (autogen-…), the rule they were generated from. */
  generatedFrom?: string;
  /** How a failure is handled at admission (validate rules). */
  failureAction?: FailureAction;
  /** Set when the rule needs something Palisade does not have offline (cluster, registry, …). */
  unsupported?: string;
  /** The PolicyException that made the rule skip. */
  exception?: string;
  /** podSecurity rules: the PSS checks that failed (after exclusions). */
  podSecurityChecks?: PodSecurityCheck[];
}

/** A Kyverno policy document as read from YAML (kyverno.io/v1 or v2beta1). */
export interface KyvernoPolicyDoc extends K8sObject {
  spec?: Record<string, unknown>;
}

export interface EvaluateOptions {
  /** Admission operation; default CREATE. */
  operation?: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  /** The previous version of the object (UPDATE, DELETE). */
  oldObject?: K8sObject | null;
  /** Who makes the request (kyverno test: the userinfo file). */
  request?: RequestInfo;
  /** Labels of namespaces by name, for namespaceSelector and CEL's namespaceObject. */
  namespaceLabels?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Values applied to every rule's context (dotted names: "request.operation"). */
  globalValues?: Readonly<Record<string, unknown>>;
  /** Values of one rule (dotted names), e.g. mocked ConfigMap or API call results. */
  ruleValues?: (policy: string, rule: string, resourceName: string) => Readonly<Record<string, unknown>> | undefined;
  /** Values per foreach element, by foreach block (kyverno test `foreachValues`). */
  foreachValues?: (policy: string, rule: string) => readonly Readonly<Record<string, readonly unknown[]>>[] | undefined;
  subresource?: string;
  subresources?: readonly SubresourceMapping[];
  /** PolicyException documents (kyverno.io/v2, v2beta1). */
  exceptions?: readonly K8sObject[];
}
