/**
 * The emulator's fixed demo credentials, defined in `src/demo-accounts.ts` (outside `sandbox/`, since the
 * configuration uses them as sandbox-mode defaults and must not import the emulator).
 */
export { SANDBOX_CLOUDFLARE, SANDBOX_CLOUDMAILIN } from '../demo-accounts.js';
