// Benchmark child: runs this engine alone in its process and reports its own CPU and memory. This thread
// runs the modules tsc wrote; its load workers, as a peer's, the bundle's entry with V8's code cache
// (worker-pool.ts), when the build has a bundle.
// argv[2]: JSON { url, durationS, connections, rps? } (no rps: closed model with one user per connection).
import '../../src/polyfill.js';
import { prepareLoadWorkers, startLoad } from '../../actors/load-generator/index.js';
import { validateLoadTask } from '../../src/plan/index.js';
import { summarize } from '../../src/stats/index.js';
import { engineMeasurement, printResult, selfUsage } from './measure.js';

interface EngineConfig {
  url: string;
  durationS: number;
  connections: number;
  rps?: number;
  /** Worker threads (default 0: the sending loop on the main thread). */
  workers?: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as EngineConfig;
const task = validateLoadTask({
  targets: [{ url: config.url }],
  duration: config.durationS,
  connections: config.connections,
  ...(config.rps === undefined ? { concurrent_users: config.connections } : { base_rps: config.rps, max_in_flight: config.connections }),
});
const workers = config.workers ?? 0;
// Booted before the measure: their start-up is measured by startup.ts, not here.
if (workers > 0) await prepareLoadWorkers(workers);
let wire = 0;
const before = selfUsage();
// Deltas are serialised as they would be for the wire, so their cost is part of the measure.
const outcome = await startLoad({ params: task, workers, workerRate: 1, onDelta: (d) => (wire += JSON.stringify(d).length) }).done;
const after = selfUsage();
const summary = summarize(outcome.results, task.duration);
printResult(engineMeasurement(`engine${workers > 0 ? `-w${workers}` : ''}${config.rps === undefined ? '' : `@${config.rps}`}`, summary, task.duration, before, after));
process.stderr.write(`delta bytes: ${wire}\n`);
