// The HTTP load engine: patterns, schedulers, HTTP client, runs and reports.
export { startLoad, type StartLoadOptions, type LoadRun, type RunOutcome, type RunStatus, type RunState } from './run.js';
export { profileFor, mulberry32, type PatternSpec } from '../../src/schedule/patterns.js';
export { piecewise, linearPiece, smoothPiece, type RateProfile, type Piece } from '../../src/schedule/rate-profile.js';
export { arrivalPosition, ownsArrival, usersOf, pickTarget, weightTable } from './segment.js';
export { errorKindOf } from './exchange.js';
export { warmUp, WARM_UP_MS, WARM_UP_LEAD_MS, type WarmUp } from './warm-up.js';
export { prepareLoadWorkers, loadWorkerCount, setLoadWorkerCount, closeLoadWorkers, loadWorkersAlive, retireLoadWorkers } from './worker-pool.js';
export { subSegments, workersFor, partOf, WORKER_RATE } from './work-split.js';
