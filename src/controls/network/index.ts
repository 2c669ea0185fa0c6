import type { Control } from '../../core/control.js';
import defaultDenyIngress from './pal-net-001-default-deny-ingress.js';
import defaultDenyEgress from './pal-net-002-default-deny-egress.js';
import podNotIsolated from './pal-net-003-pod-not-isolated.js';
import nodePortService from './pal-net-004-node-port-service.js';
import loadBalancerService from './pal-net-005-load-balancer-service.js';
import serviceExternalIps from './pal-net-006-service-external-ips.js';
import ingressWithoutTls from './pal-net-007-ingress-without-tls.js';
import ingressFromAnywhere from './pal-net-008-ingress-from-anywhere.js';

/** Controls of the network area; one import and one entry per control. */
export const networkControls: Control[] = [
  defaultDenyIngress,
  defaultDenyEgress,
  podNotIsolated,
  nodePortService,
  loadBalancerService,
  serviceExternalIps,
  ingressWithoutTls,
  ingressFromAnywhere,
];
