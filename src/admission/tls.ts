/** The shared HTTPS listener moved to src/server/https.ts; this keeps existing imports working. */
export * from '../server/https.js';
