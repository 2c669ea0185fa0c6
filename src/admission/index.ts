/** The admission webhook as a library: server, decision, mutation, manifests, certificates. */
export { startAdmissionServer, type AdmissionServer, type AdmissionServerOptions, type LogFn } from './server.js';
export { decide, evaluate, actionFor, Exemptions, reviewedResource, type JudgeSet, type Decision, type JudgedFinding } from './judge.js';
export { mutationsFor, podSpecMutable, type DigestSource, type MutationResult } from './mutate.js';
export { DEFAULT_SETTINGS, mergeSettings, parseAdmissionConfig, loadAdmissionConfig, ADMISSION_CONFIG_SCHEMA, ACTIONS, MUTATIONS, type AdmissionSettings, type Action, type Mutation } from './config.js';
export { ContextCache } from './context-cache.js';
export { DigestResolver, parseChallenge, MANIFEST_ACCEPT } from './registry-client.js';
export { renderManifests, DEFAULT_IMAGE, type ManifestOptions } from './manifests.js';
export { issueCertificate, webhookCertificates } from './x509.js';
export { parseReview, reviewResponse, encodePatch, ADMISSION_API_VERSION, type AdmissionRequest, type AdmissionResponse } from './review.js';
export { ADMISSION_CONTROLS } from './quota-controls.js';
export { AdmissionMetrics } from './metrics.js';
export { DecisionLog, type DecisionRecord } from './decision-log.js';
