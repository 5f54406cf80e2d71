// A security_test task of a distributed execution, on one generator. A scan is not split: the generator
// whose share starts at 0 probes (once for the whole execution, at its polite rate); every other one
// ends its run at once. Either way the run ends with one final results delta, so the coordinator sees
// every run finish; the scanning one carries the scan's report in it, and sends an empty delta every
// second meanwhile (a running generator that sends nothing is taken for frozen: coordinator silence.ts).
import { McpError } from '../../../src/errors.js';
import type { Clock } from '../../../src/util/clock.js';
import type { Segment } from '../../../src/execution/segment.js';
import type { SecurityTask } from '../../../src/plan/security-task.js';
import type { SecurityReport } from '../../../src/report/security-report.js';
import { emptyCounters, type ResultsDelta } from '../../../src/stats/index.js';
import type { ProbePorts } from './probe-client.js';
import { startScan } from './scan.js';

export interface ScanRun {
  stop(): void;
}

/** The one generator that scans: the share that holds the start of the whole. */
export function scansHere(segment: Segment): boolean {
  return segment.from === 0 && segment.to > 0;
}

/** A delta of no load: a heartbeat while scanning, or the last one (with the report, on the peer that scanned). */
export function scanDelta(runId: string, seq: number, final: boolean, security?: SecurityReport): ResultsDelta {
  return { run_id: runId, seq, final, totals: emptyCounters(), latency: '', service: '', targets: [], seconds: [], ...(security ? { security } : {}) };
}

/** Ports of a peer wired without probes: its scan fails at the first request, saying why. */
export function refusingPorts(clock: Clock): ProbePorts {
  return {
    now: () => clock.now(),
    sleep: (ms) => new Promise<void>((resolve) => clock.schedule(resolve, ms)),
    allowTarget() {
      throw new McpError('NO_PROBES', 'this peer is not set up to run security probes');
    },
  };
}

/** As often as a load run cuts its deltas. */
const HEARTBEAT_MS = 1_000;

/** Starts the task's part on this generator at `startAt`; `onDelta` gets its one final delta, then `onDone` is called. */
export function startScanRun(opts: {
  task: SecurityTask;
  runId: string;
  segment: Segment;
  startAt: number;
  ports: ProbePorts;
  onDelta: (delta: ResultsDelta) => void;
  onDone: () => void;
}): ScanRun {
  let seq = 1;
  let ended = false;
  const finish = (report?: SecurityReport) => {
    if (ended) return;
    ended = true;
    opts.onDelta(scanDelta(opts.runId, seq++, true, report));
    opts.onDone();
  };
  const beat = (): void => {
    void opts.ports.sleep(HEARTBEAT_MS).then(() => {
      if (ended) return;
      opts.onDelta(scanDelta(opts.runId, seq++, false));
      beat();
    });
  };
  if (!scansHere(opts.segment)) {
    finish();
    return { stop: () => undefined };
  }
  let stopped = false;
  let scan: ReturnType<typeof startScan> | undefined;
  void opts.ports.sleep(Math.max(0, opts.startAt - opts.ports.now())).then(() => {
    if (stopped) return finish();
    scan = startScan(opts.task, opts.ports);
    beat();
    scan.done.then(finish, () => finish());
  });
  return {
    stop() {
      stopped = true;
      scan?.stop();
    },
  };
}
