// Benchmark child: `node peer.js run` in this process, as peer.js starts it (the V8 flags it sets for `run`,
// then the bundle with its code cache), on a plan of one constant-rate task; reports the CPU and memory of
// the run itself, from just before the command to its end (start-up is measured by startup.ts).
// argv[2]: JSON { url, durationS, connections, rps }. Needs the bundle (`npm run build`).
import '../../src/polyfill.js';
import { setV8FlagsFor } from '../../src/cli/v8-flags.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeCacheDir, loadBundle } from '../../src/cli/bundle-loader.js';
import { engineMeasurement, printResult, selfUsage, type RunSummary } from './measure.js';

setV8FlagsFor('run'); // before the bundle is compiled, as peer.js does

interface RunConfig {
  url: string;
  durationS: number;
  connections: number;
  rps: number;
}
const config = JSON.parse(process.argv[2] ?? '{}') as RunConfig;
const dir = mkdtempSync(join(tmpdir(), 'mcpdt-bench-run-'));
try {
  const plan = join(dir, 'plan.json');
  const out = join(dir, 'report.json');
  const parameters = { targets: [{ url: config.url }], duration: config.durationS, base_rps: config.rps, pattern: 'constant', connections: config.connections, max_in_flight: config.connections };
  writeFileSync(plan, JSON.stringify({ name: 'pacing', tasks: [{ type: 'load_test', parameters }] }));
  const { main } = loadBundle(new URL('../../bundle/cli.cjs', import.meta.url), 'run', codeCacheDir()).exports as { main(argv: string[]): Promise<number> };
  const before = selfUsage();
  const code = await main(['run', plan, '--out', out]);
  const after = selfUsage();
  if (code !== 0) throw new Error(`peer.js run exited ${code}`);
  const { summary } = JSON.parse(readFileSync(out, 'utf8')) as { summary: RunSummary };
  printResult(engineMeasurement(`engine@${config.rps}`, summary, config.durationS, before, after));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
