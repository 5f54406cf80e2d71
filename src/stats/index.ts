// HDR recording, mergeable result deltas, summaries.
export * from './histogram.js';
export * from './results.js';
export * from './recorder.js';
export * from './summary.js';
export * from './running-results.js';
export * from './bucket-counts.js';
export * from './delta.js';
export * from './raw-tallies.js';
export * from './frozen-results.js';
export * from './merge-all.js';
export * from './encoded.js';
export * from './pool.js';
