// Benchmark child: runs this engine alone in its process and reports its own CPU and memory.
// argv[2]: JSON { url, durationS, connections, rps? } (no rps: closed model with one user per connection).
import '../../src/polyfill.js';
import { startLoad } from '../../actors/load-generator/index.js';
import { validateLoadTask } from '../../src/plan/index.js';
import { summarize } from '../../src/stats/index.js';
import { printResult, selfUsage } from './measure.js';

interface EngineConfig {
  url: string;
  durationS: number;
  connections: number;
  rps?: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as EngineConfig;
const task = validateLoadTask({
  targets: [{ url: config.url }],
  duration: config.durationS,
  connections: config.connections,
  ...(config.rps === undefined ? { concurrent_users: config.connections } : { base_rps: config.rps, max_in_flight: config.connections }),
});
let wire = 0;
const before = selfUsage();
// Deltas are serialised as they would be for the wire, so their cost is part of the measure.
const outcome = await startLoad({ params: task, onDelta: (d) => (wire += JSON.stringify(d).length) }).done;
const after = selfUsage();
const summary = summarize(outcome.results, task.duration);
printResult({
  tool: config.rps === undefined ? 'engine' : `engine@${config.rps}`,
  requests: summary.total_requests,
  dropped: summary.dropped_requests,
  errors: summary.failed_requests,
  durationS: task.duration,
  cpuS: after.cpuS - before.cpuS,
  peakRssMB: after.peakRssMB,
  p99Ms: summary.latency_ms.p99,
});
process.stderr.write(`delta bytes: ${wire}\n`);
