// `promtool check metrics` (Debian's prometheus package) on a metrics text: its verdict and complaints.
import { spawnSync } from 'node:child_process';

export const PROMTOOL = spawnSync('promtool', ['--version']).status === 0 ? 'promtool' : undefined;

export function promtoolCheck(text: string): { ok: boolean; output: string } {
  const run = spawnSync(PROMTOOL ?? 'promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
}

/** Sum of a metric's samples whose labels include `labels` (Prometheus text format). */
export function sumSamples(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
