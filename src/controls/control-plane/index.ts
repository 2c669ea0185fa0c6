import type { Control } from '../../core/control.js';
import apiserverAnonymousAuth from './pal-cp-001-apiserver-anonymous-auth.js';
import apiserverTokenAuthFile from './pal-cp-002-apiserver-token-auth-file.js';
import apiserverDenyServiceExternalIps from './pal-cp-003-apiserver-deny-service-external-ips.js';
import apiserverKubeletClientCert from './pal-cp-004-apiserver-kubelet-client-cert.js';
import apiserverKubeletCertificateAuthority from './pal-cp-005-apiserver-kubelet-certificate-authority.js';
import apiserverAuthorizationAlwaysAllow from './pal-cp-006-apiserver-authorization-always-allow.js';
import apiserverAuthorizationNode from './pal-cp-007-apiserver-authorization-node.js';
import apiserverAuthorizationRbac from './pal-cp-008-apiserver-authorization-rbac.js';
import apiserverEventRateLimit from './pal-cp-009-apiserver-event-rate-limit.js';
import apiserverAlwaysAdmit from './pal-cp-010-apiserver-always-admit.js';
import apiserverAlwaysPullImages from './pal-cp-011-apiserver-always-pull-images.js';
import apiserverServiceAccountPlugin from './pal-cp-012-apiserver-service-account-plugin.js';
import apiserverNamespaceLifecycle from './pal-cp-013-apiserver-namespace-lifecycle.js';
import apiserverNodeRestriction from './pal-cp-014-apiserver-node-restriction.js';
import profilingEnabled from './pal-cp-015-profiling-enabled.js';
import apiserverAuditLogPath from './pal-cp-016-apiserver-audit-log-path.js';
import apiserverAuditLogRetention from './pal-cp-017-apiserver-audit-log-retention.js';
import apiserverRequestTimeout from './pal-cp-018-apiserver-request-timeout.js';
import apiserverServiceAccountLookup from './pal-cp-019-apiserver-service-account-lookup.js';
import apiserverServiceAccountKeyFile from './pal-cp-020-apiserver-service-account-key-file.js';
import apiserverEtcdClientCert from './pal-cp-021-apiserver-etcd-client-cert.js';
import apiserverTlsCert from './pal-cp-022-apiserver-tls-cert.js';
import apiserverClientCaFile from './pal-cp-023-apiserver-client-ca-file.js';
import apiserverEtcdCafile from './pal-cp-024-apiserver-etcd-cafile.js';
import apiserverEncryptionAtRest from './pal-cp-025-apiserver-encryption-at-rest.js';
import apiserverTlsCipherSuites from './pal-cp-026-apiserver-tls-cipher-suites.js';
import tlsMinVersion from './pal-cp-027-tls-min-version.js';
import apiserverAuditPolicyFile from './pal-cp-028-apiserver-audit-policy-file.js';
import controllerManagerTerminatedPodGc from './pal-cp-029-controller-manager-terminated-pod-gc.js';
import controllerManagerServiceAccountCredentials from './pal-cp-030-controller-manager-service-account-credentials.js';
import controllerManagerServiceAccountPrivateKey from './pal-cp-031-controller-manager-service-account-private-key.js';
import controllerManagerRootCaFile from './pal-cp-032-controller-manager-root-ca-file.js';
import controllerManagerRotateKubeletServerCert from './pal-cp-033-controller-manager-rotate-kubelet-server-cert.js';
import bindAddressLoopback from './pal-cp-034-bind-address-loopback.js';
import etcdClientTls from './pal-cp-035-etcd-client-tls.js';
import etcdClientCertAuth from './pal-cp-036-etcd-client-cert-auth.js';
import etcdAutoTls from './pal-cp-037-etcd-auto-tls.js';
import etcdPeerTls from './pal-cp-038-etcd-peer-tls.js';
import etcdPeerClientCertAuth from './pal-cp-039-etcd-peer-client-cert-auth.js';

/** Control-plane configuration: kube-apiserver, kube-controller-manager, kube-scheduler and etcd as they run in static pods (CIS sections 1, 2 and 3.2). */
export const controlPlaneControls: Control[] = [
  apiserverAnonymousAuth,
  apiserverTokenAuthFile,
  apiserverDenyServiceExternalIps,
  apiserverKubeletClientCert,
  apiserverKubeletCertificateAuthority,
  apiserverAuthorizationAlwaysAllow,
  apiserverAuthorizationNode,
  apiserverAuthorizationRbac,
  apiserverEventRateLimit,
  apiserverAlwaysAdmit,
  apiserverAlwaysPullImages,
  apiserverServiceAccountPlugin,
  apiserverNamespaceLifecycle,
  apiserverNodeRestriction,
  profilingEnabled,
  apiserverAuditLogPath,
  apiserverAuditLogRetention,
  apiserverRequestTimeout,
  apiserverServiceAccountLookup,
  apiserverServiceAccountKeyFile,
  apiserverEtcdClientCert,
  apiserverTlsCert,
  apiserverClientCaFile,
  apiserverEtcdCafile,
  apiserverEncryptionAtRest,
  apiserverTlsCipherSuites,
  tlsMinVersion,
  apiserverAuditPolicyFile,
  controllerManagerTerminatedPodGc,
  controllerManagerServiceAccountCredentials,
  controllerManagerServiceAccountPrivateKey,
  controllerManagerRootCaFile,
  controllerManagerRotateKubeletServerCert,
  bindAddressLoopback,
  etcdClientTls,
  etcdClientCertAuth,
  etcdAutoTls,
  etcdPeerTls,
  etcdPeerClientCertAuth,
];
