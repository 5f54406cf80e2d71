// A security_test's part on one generator of an execution: only the share that starts at 0 scans; every
// run ends with one final delta (the scanning one's carries the report) and a scan sends an empty delta
// each second meanwhile, numbered like any run's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../../src/config/schema.js';
import { policyFromConfig } from '../../../src/guardrails/index.js';
import { probePorts } from '../../../src/guardrails/probe-ports.js';
import { validateSecurityTask } from '../../../src/plan/index.js';
import type { ResultsDelta } from '../../../src/stats/index.js';
import { systemClock } from '../../../src/util/clock.js';
import { scansHere, startScanRun } from '../../../actors/load-generator/security/scan-run.js';
import { startProbeTarget, type ProbeTarget } from '../../support/probe-target.js';

let app: ProbeTarget;
beforeAll(async () => {
  app = await startProbeTarget({ hardened: false });
});
afterAll(() => app.close());

const ports = () => probePorts(systemClock, policyFromConfig(ConfigSchema.parse({}), { whenUnset: 'any' }).policy);

function run(segment: { from: number; to: number }, parameters: Record<string, unknown>) {
  const deltas: ResultsDelta[] = [];
  return new Promise<ResultsDelta[]>((resolve) => {
    startScanRun({
      task: validateSecurityTask({ target: app.url, authorized: true, ...parameters }),
      runId: `e:0:${segment.from}`,
      segment,
      startAt: Date.now(),
      ports: ports(),
      onDelta: (d) => deltas.push(d),
      onDone: () => resolve(deltas),
    });
  });
}

describe('a scan run of an execution', () => {
  it('scans on the share that holds the start only', () => {
    expect([scansHere({ from: 0, to: 0.5 }), scansHere({ from: 0.5, to: 1 }), scansHere({ from: 0, to: 0 })]).toEqual([true, false, false]);
  });

  it('ends at once with one empty final delta where it does not scan', async () => {
    const before = app.total();
    const deltas = await run({ from: 0.5, to: 1 }, {});
    expect(deltas).toEqual([expect.objectContaining({ seq: 1, final: true, totals: expect.objectContaining({ requests: 0 }) })]);
    expect(deltas[0]!.security).toBeUndefined();
    expect(app.total()).toBe(before);
  });

  it('sends a heartbeat each second while it scans, then the report in its final delta', async () => {
    const before = app.total();
    // 4 requests at 2 per second: about 1.5 s, so at least one heartbeat.
    const deltas = await run({ from: 0, to: 0.5 }, { rate: 2, max_requests: 4, depth: 'shallow' });
    expect(deltas.map((d) => d.seq)).toEqual(deltas.map((_, i) => i + 1));
    expect(deltas.length).toBeGreaterThanOrEqual(2);
    expect(deltas.slice(0, -1).every((d) => !d.final && d.security === undefined)).toBe(true);
    const last = deltas.at(-1)!;
    expect(last.final).toBe(true);
    expect(last.security).toMatchObject({ target: app.url, requests_sent: 4, status: 'completed' });
    expect(app.total() - before).toBe(4);
  });
});
