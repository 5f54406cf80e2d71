// Run a plan in this process, no cluster: `node examples/run-plan.mjs http://127.0.0.1:8000/`.
import { runPlan, validatePlan, ValidationError } from 'mcp-distributed-testing';

const target = process.argv[2] ?? 'http://127.0.0.1:8000/';

try {
  validatePlan({ name: 'typo', tasks: [{ type: 'load_test', parameters: { targets: [{ url: 'not a url' }], duration: '1s' } }] });
} catch (error) {
  // Every problem at once, each with its path.
  if (error instanceof ValidationError) console.log('refused:', error.problems.map((p) => `${p.path}: ${p.message}`).join('; '));
}

const { report, passed } = await runPlan(
  {
    name: 'library-run',
    tasks: [{ type: 'load_test', parameters: { targets: [{ url: target }], duration: '2s', base_rps: 50, thresholds: ['error_rate < 0.01'] } }],
  },
  { onProgress: ({ elapsedS, results }) => console.log(`t=${elapsedS.toFixed(1)}s requests=${results[0].totals.requests}`) },
);
console.log(`status=${report.status} requests=${report.summary.total_requests} p99_ms=${report.summary.latency_ms.p99} passed=${passed}`);
process.exitCode = passed ? 0 : 99;
