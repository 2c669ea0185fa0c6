import type { Control } from '../../core/control.js';
import imageTag from './pal-img-001-image-tag.js';
import imageDigest from './pal-img-002-image-digest.js';
import allowedRegistries from './pal-img-003-allowed-registries.js';

/** Controls of the image area; one import and one entry per control. */
export const imageControls: Control[] = [imageTag, imageDigest, allowedRegistries];
