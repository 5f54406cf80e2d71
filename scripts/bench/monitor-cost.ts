// CPU cost of the node monitor's sampling at the default interval: the system sample (os.cpus, statfs,
// /proc/net/dev) every 5 s and the process probe every second, measured
// as this process's CPU plus its children's over a window, minus the same window idle.
//   node dist/scripts/bench/monitor-cost.js [--seconds 60] [--interval 5]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { systemSampler } from '../../actors/node-monitor/sampler.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, interval: { type: 'string', default: '5' } } });
const SECONDS = Number(values.seconds);
const INTERVAL_S = Number(values.interval);
const TICKS_PER_S = 100; // USER_HZ on Linux

/** utime + stime + cutime + cstime of this process, in CPU seconds. */
function cpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return [11, 12, 13, 14].reduce((s, i) => s + Number(fields[i]), 0) / TICKS_PER_S;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function window(run: boolean): Promise<number> {
  const sampler = run ? systemSampler({ diskPath: process.cwd() }) : undefined;
  if (sampler) await sampler.system(); // the first reading (CPU since boot) is not part of the steady cost
  const before = cpuSeconds();
  const end = Date.now() + SECONDS * 1000;
  let nextSystem = Date.now();
  while (Date.now() < end) {
    if (sampler) {
      sampler.process();
      if (Date.now() >= nextSystem) {
        await sampler.system();
        nextSystem += INTERVAL_S * 1000;
      }
    }
    await sleep(1000);
  }
  const used = cpuSeconds() - before;
  sampler?.close();
  return used;
}

async function main(): Promise<void> {
  const idle = await window(false);
  const sampling = await window(true);
  const perMinute = ((sampling - idle) / SECONDS) * 60;
  console.log(
    JSON.stringify(
      { window_s: SECONDS, interval_s: INTERVAL_S, idle_cpu_s: idle, sampling_cpu_s: sampling, monitor_cpu_s_per_minute: Math.round(perMinute * 1000) / 1000, monitor_core_percent: Math.round((perMinute / 60) * 100 * 100) / 100 },
      null,
      2,
    ),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
