/**
 * Static pod manifests for the control-plane tests: a hardened control plane (the shape
 * kubeadm writes to /etc/kubernetes/manifests, plus the CIS section 1 and 2 settings) and an
 * insecure one. Every control-plane control must pass the hardened set and find exactly its
 * own problems in the insecure one.
 */

export const HARDENED_APISERVER = `apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver-cp-1
  namespace: kube-system
  labels:
    component: kube-apiserver
    tier: control-plane
  annotations:
    kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint: 10.0.0.10:6443
spec:
  hostNetwork: true
  priorityClassName: system-node-critical
  securityContext:
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: kube-apiserver
      image: registry.k8s.io/kube-apiserver:v1.31.4
      imagePullPolicy: IfNotPresent
      command:
        - kube-apiserver
        - --advertise-address=10.0.0.10
        - --allow-privileged=true
        - --anonymous-auth=false
        - --authorization-mode=Node,RBAC
        - --client-ca-file=/etc/kubernetes/pki/ca.crt
        - --enable-admission-plugins=NodeRestriction,EventRateLimit,AlwaysPullImages,DenyServiceExternalIPs
        - --admission-control-config-file=/etc/kubernetes/admission/admission-config.yaml
        - --enable-bootstrap-token-auth=true
        - --encryption-provider-config=/etc/kubernetes/encryption/config.yaml
        - --etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt
        - --etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt
        - --etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key
        - --etcd-servers=https://127.0.0.1:2379
        - --kubelet-certificate-authority=/etc/kubernetes/pki/ca.crt
        - --kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt
        - --kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key
        - --kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname
        - --profiling=false
        - --audit-log-path=/var/log/kubernetes/audit/audit.log
        - --audit-log-maxage=30
        - --audit-log-maxbackup=10
        - --audit-log-maxsize=100
        - --audit-policy-file=/etc/kubernetes/audit/policy.yaml
        - --proxy-client-cert-file=/etc/kubernetes/pki/front-proxy-client.crt
        - --proxy-client-key-file=/etc/kubernetes/pki/front-proxy-client.key
        - --request-timeout=60s
        - --requestheader-allowed-names=front-proxy-client
        - --requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt
        - --requestheader-extra-headers-prefix=X-Remote-Extra-
        - --requestheader-group-headers=X-Remote-Group
        - --requestheader-username-headers=X-Remote-User
        - --secure-port=6443
        - --service-account-issuer=https://kubernetes.default.svc.cluster.local
        - --service-account-key-file=/etc/kubernetes/pki/sa.pub
        - --service-account-lookup=true
        - --service-account-signing-key-file=/etc/kubernetes/pki/sa.key
        - --service-cluster-ip-range=10.96.0.0/12
        - --tls-cert-file=/etc/kubernetes/pki/apiserver.crt
        - --tls-private-key-file=/etc/kubernetes/pki/apiserver.key
        - --tls-min-version=VersionTLS12
        - --tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
      # With anonymous requests refused, the probe checks the port rather than /livez.
      livenessProbe:
        tcpSocket:
          host: 10.0.0.10
          port: 6443
        initialDelaySeconds: 10
        periodSeconds: 10
        failureThreshold: 8
      resources:
        requests:
          cpu: 250m
      volumeMounts:
        - {name: k8s-certs, mountPath: /etc/kubernetes/pki, readOnly: true}
        - {name: admission, mountPath: /etc/kubernetes/admission, readOnly: true}
        - {name: encryption, mountPath: /etc/kubernetes/encryption, readOnly: true}
        - {name: audit-policy, mountPath: /etc/kubernetes/audit, readOnly: true}
        - {name: audit-log, mountPath: /var/log/kubernetes/audit}
  volumes:
    - {name: k8s-certs, hostPath: {path: /etc/kubernetes/pki, type: DirectoryOrCreate}}
    - {name: admission, hostPath: {path: /etc/kubernetes/admission, type: DirectoryOrCreate}}
    - {name: encryption, hostPath: {path: /etc/kubernetes/encryption, type: DirectoryOrCreate}}
    - {name: audit-policy, hostPath: {path: /etc/kubernetes/audit, type: DirectoryOrCreate}}
    - {name: audit-log, hostPath: {path: /var/log/kubernetes/audit, type: DirectoryOrCreate}}
`;

/**
 * An API server as found on neglected clusters: static tokens, no authorization, TLS to
 * nothing, weak ciphers, audit logs that rotate away within a week.
 */
export const INSECURE_APISERVER = `apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver-legacy-1
  namespace: kube-system
  labels:
    component: kube-apiserver
    tier: control-plane
spec:
  hostNetwork: true
  containers:
    - name: kube-apiserver
      image: registry.k8s.io/kube-apiserver:v1.27.16
      command:
        - kube-apiserver
        - --advertise-address=10.0.0.20
        - --anonymous-auth=true
        - --authorization-mode=AlwaysAllow
        - --token-auth-file=/etc/kubernetes/static-tokens.csv
        - --enable-admission-plugins=AlwaysAdmit
        - --disable-admission-plugins=ServiceAccount,NamespaceLifecycle
        - --etcd-servers=http://127.0.0.1:2379
        - --profiling=true
        - --service-account-lookup=false
        - --audit-log-path=/var/log/kube-audit.log
        - --audit-log-maxage=7
        - --tls-min-version=VersionTLS10
        - --tls-cipher-suites=TLS_RSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_3DES_EDE_CBC_SHA
        - --request-timeout=30m
        - --secure-port=6443
        - --service-cluster-ip-range=10.96.0.0/12
      volumeMounts:
        - {name: tokens, mountPath: /etc/kubernetes/static-tokens.csv, readOnly: true}
  volumes:
    - {name: tokens, hostPath: {path: /etc/kubernetes/static-tokens.csv, type: File}}
`;

export const HARDENED_CONTROLLER_MANAGER = `apiVersion: v1
kind: Pod
metadata:
  name: kube-controller-manager-cp-1
  namespace: kube-system
  labels: {component: kube-controller-manager, tier: control-plane}
spec:
  hostNetwork: true
  containers:
    - name: kube-controller-manager
      image: registry.k8s.io/kube-controller-manager:v1.31.4
      command:
        - kube-controller-manager
        - --authentication-kubeconfig=/etc/kubernetes/controller-manager.conf
        - --authorization-kubeconfig=/etc/kubernetes/controller-manager.conf
        - --bind-address=127.0.0.1
        - --client-ca-file=/etc/kubernetes/pki/ca.crt
        - --cluster-signing-cert-file=/etc/kubernetes/pki/ca.crt
        - --cluster-signing-key-file=/etc/kubernetes/pki/ca.key
        - --controllers=*,bootstrapsigner,tokencleaner
        - --feature-gates=RotateKubeletServerCertificate=true
        - --kubeconfig=/etc/kubernetes/controller-manager.conf
        - --leader-elect=true
        - --profiling=false
        - --requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt
        - --root-ca-file=/etc/kubernetes/pki/ca.crt
        - --service-account-private-key-file=/etc/kubernetes/pki/sa.key
        - --terminated-pod-gc-threshold=1000
        - --tls-min-version=VersionTLS12
        - --use-service-account-credentials=true
`;

export const INSECURE_CONTROLLER_MANAGER = `apiVersion: v1
kind: Pod
metadata:
  name: kube-controller-manager-legacy-1
  namespace: kube-system
spec:
  hostNetwork: true
  containers:
    - name: kube-controller-manager
      image: registry.k8s.io/kube-controller-manager:v1.27.16
      command:
        - kube-controller-manager
        - --bind-address=0.0.0.0
        - --feature-gates=RotateKubeletServerCertificate=false
        - --kubeconfig=/etc/kubernetes/controller-manager.conf
        - --leader-elect=true
        - --tls-min-version=VersionTLS11
        - --use-service-account-credentials=false
`;

export const HARDENED_SCHEDULER = `apiVersion: v1
kind: Pod
metadata:
  name: kube-scheduler-cp-1
  namespace: kube-system
  labels: {component: kube-scheduler, tier: control-plane}
spec:
  hostNetwork: true
  containers:
    - name: kube-scheduler
      image: registry.k8s.io/kube-scheduler:v1.31.4
      command:
        - kube-scheduler
        - --authentication-kubeconfig=/etc/kubernetes/scheduler.conf
        - --authorization-kubeconfig=/etc/kubernetes/scheduler.conf
        - --bind-address=127.0.0.1
        - --kubeconfig=/etc/kubernetes/scheduler.conf
        - --leader-elect=true
        - --profiling=false
`;

/** Flags in `--name value` form, as some installers write them. */
export const INSECURE_SCHEDULER = `apiVersion: v1
kind: Pod
metadata:
  name: kube-scheduler-legacy-1
  namespace: kube-system
spec:
  hostNetwork: true
  containers:
    - name: kube-scheduler
      image: registry.k8s.io/kube-scheduler:v1.27.16
      command:
        - kube-scheduler
        - --bind-address
        - 0.0.0.0
        - --kubeconfig
        - /etc/kubernetes/scheduler.conf
`;

export const HARDENED_ETCD = `apiVersion: v1
kind: Pod
metadata:
  name: etcd-cp-1
  namespace: kube-system
  labels: {component: etcd, tier: control-plane}
  annotations:
    kubeadm.kubernetes.io/etcd.advertise-client-urls: https://10.0.0.10:2379
spec:
  hostNetwork: true
  containers:
    - name: etcd
      image: registry.k8s.io/etcd:3.5.16-0
      command:
        - etcd
        - --advertise-client-urls=https://10.0.0.10:2379
        - --cert-file=/etc/kubernetes/pki/etcd/server.crt
        - --client-cert-auth=true
        - --data-dir=/var/lib/etcd
        - --initial-advertise-peer-urls=https://10.0.0.10:2380
        - --initial-cluster=cp-1=https://10.0.0.10:2380
        - --key-file=/etc/kubernetes/pki/etcd/server.key
        - --listen-client-urls=https://127.0.0.1:2379,https://10.0.0.10:2379
        - --listen-metrics-urls=http://127.0.0.1:2381
        - --listen-peer-urls=https://10.0.0.10:2380
        - --name=cp-1
        - --peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt
        - --peer-client-cert-auth=true
        - --peer-key-file=/etc/kubernetes/pki/etcd/peer.key
        - --peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
        - --snapshot-count=10000
        - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
      volumeMounts:
        - {name: etcd-data, mountPath: /var/lib/etcd}
        - {name: etcd-certs, mountPath: /etc/kubernetes/pki/etcd, readOnly: true}
  volumes:
    - {name: etcd-data, hostPath: {path: /var/lib/etcd, type: DirectoryOrCreate}}
    - {name: etcd-certs, hostPath: {path: /etc/kubernetes/pki/etcd, type: DirectoryOrCreate}}
`;

export const INSECURE_ETCD = `apiVersion: v1
kind: Pod
metadata:
  name: etcd-legacy-1
  namespace: kube-system
spec:
  hostNetwork: true
  containers:
    - name: etcd
      image: registry.k8s.io/etcd:3.5.9-0
      command:
        - etcd
        - --advertise-client-urls=https://10.0.0.20:2379
        - --auto-tls=true
        - --data-dir=/var/lib/etcd
        - --listen-client-urls=https://0.0.0.0:2379
        - --listen-peer-urls=https://10.0.0.20:2380
        - --name=legacy-1
        - --peer-auto-tls
        - --peer-client-cert-auth=false
`;

export const HARDENED_CONTROL_PLANE = [HARDENED_APISERVER, HARDENED_CONTROLLER_MANAGER, HARDENED_SCHEDULER, HARDENED_ETCD].join('---\n');
export const INSECURE_CONTROL_PLANE = [INSECURE_APISERVER, INSECURE_CONTROLLER_MANAGER, INSECURE_SCHEDULER, INSECURE_ETCD].join('---\n');

/** 1-based line of the first line containing `needle` (after `from`, when given); throws when absent. */
export function lineOf(yaml: string, needle: string, from?: string): number {
  const lines = yaml.split('\n');
  let start = 0;
  if (from !== undefined) {
    start = lines.findIndex((l) => l.includes(from));
    if (start < 0) throw new Error(`fixture has no line containing ${JSON.stringify(from)}`);
  }
  for (let i = start; i < lines.length; i++) if (lines[i]!.includes(needle)) return i + 1;
  throw new Error(`fixture has no line containing ${JSON.stringify(needle)}`);
}

/**
 * A minimal static pod of one component. The binary is on line 11 and flag i on line 12 + i,
 * so tests can pin lines without counting.
 */
export function staticPod(component: 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'etcd', flags: readonly string[], name = `${component}-node-1`): string {
  const image = component === 'etcd' ? 'registry.k8s.io/etcd:3.5.16-0' : `registry.k8s.io/${component}:v1.31.4`;
  return [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    `  name: ${name}`,
    '  namespace: kube-system',
    'spec:',
    '  containers:',
    `    - name: ${component}`,
    `      image: ${image}`,
    '      command:',
    `        - ${component}`,
    ...flags.map((f) => `        - ${JSON.stringify(f)}`),
    '',
  ].join('\n');
}

export const FIRST_FLAG_LINE = 12;
