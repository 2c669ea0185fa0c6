import type { Control } from '../../core/control.js';
import peerAuthenticationNotStrict from './pal-mesh-001-peer-authentication-not-strict.js';
import meshWideStrictMtls from './pal-mesh-002-mesh-wide-strict-mtls.js';
import authorizationAllowAll from './pal-mesh-003-authorization-allow-all.js';
import authorizationAnyPeerSensitivePort from './pal-mesh-004-authorization-any-peer-sensitive-port.js';

/** Service-mesh configuration: Istio PeerAuthentication and AuthorizationPolicy. */
export const meshControls: Control[] = [peerAuthenticationNotStrict, meshWideStrictMtls, authorizationAllowAll, authorizationAnyPeerSensitivePort];
