import type { Control } from '../../core/control.js';
import credentialInConfigMap from './pal-data-001-credential-in-configmap.js';
import credentialInEnv from './pal-data-002-credential-in-env.js';
import plaintextSecretManifest from './pal-data-003-plaintext-secret-manifest.js';

/** Controls of the data area; one import and one entry per control. */
export const dataControls: Control[] = [credentialInConfigMap, credentialInEnv, plaintextSecretManifest];
