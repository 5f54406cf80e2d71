import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Files whose assertions hold only on a machine that is not busy with another test file: rates per
 * second, start skew, stalls, breaking points, saturation, liveness within a second or two, fault
 * schedules, and workloads (placed by the nodes' health and CPU, and failed when a node they were placed
 * on looks lost). They run one at a time, after the others (as every file did before: vitest's default is
 * one worker on a 2-core machine). The rest (pure logic, and real peers asserted on exact counts or on
 * conditions polled with generous timeouts) run on every core.
 */
export const TIMING_SENSITIVE = [
  'test/faults/**/*.test.ts',
  'test/integration/workload-*.test.ts',
  'test/mcp/workload.test.ts',
  'test/integration/executions.test.ts',
  'test/integration/freeze.test.ts',
  'test/integration/saturation.test.ts',
  'test/integration/cluster.test.ts',
  'test/integration/replication.test.ts',
  'test/integration/mdns.test.ts',
  'test/integration/test-types.test.ts',
  'test/integration/node-monitor.test.ts',
  'test/cli/test-types.test.ts',
  'test/mcp/test-types.test.ts',
  'test/load-generator/run-open.test.ts',
  'test/load-generator/workers.test.ts',
  'test/load-generator/lazy-workers.test.ts',
  'test/load-generator/segments.test.ts',
  'test/load-generator/fenced-run.test.ts',
  'test/load-generator/coordinated-omission.test.ts',
  'test/load-generator/closed-and-stop.test.ts',
  'test/load-generator/catch-up.test.ts',
];

// test/pack installs the packed tarball (a native build): `npm run test:pack`. The fencing scenarios
// (a generator cut off, the coordinator killed mid-run: half a minute) run with the long fault suite,
// `npm run test:faults` (FAULTS_LONG=1); `npm test` keeps the short fault schedule.
const EXCLUDE = ['test/pack/**', 'node_modules/**', ...(process.env.FAULTS_LONG === '1' ? [] : ['test/faults/fencing.test.ts'])];

export default defineConfig({
  test: {
    setupFiles: ['src/polyfill.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'parallel', include: ['test/**/*.test.ts'], exclude: [...EXCLUDE, ...TIMING_SENSITIVE], maxWorkers: Math.max(2, availableParallelism()), sequence: { groupOrder: 0 } },
      },
      { extends: true, test: { name: 'timing', include: TIMING_SENSITIVE, exclude: EXCLUDE, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
