/** Exit codes of `node peer.js` (k6's: thresholds failed = 99). */
export const EXIT = { OK: 0, FAILURE: 1, INVALID: 2, THRESHOLDS_FAILED: 99 } as const;
