// The progress of a local run: one line rewritten in place on a TTY, a plain line every few seconds otherwise.
import type { Summary } from '../stats/index.js';

/** What the line shows; a Summary has it, and so do the cheap figures of a running run. */
export type ProgressFigures = Pick<Summary, 'total_requests' | 'failed_requests' | 'dropped_requests'> & { latency_ms: Pick<Summary['latency_ms'], 'p50' | 'p99'> };

export interface ProgressSample {
  elapsedS: number;
  durationS: number;
  summary: ProgressFigures;
  /** Requests finished in the last interval, per second. */
  currentRps: number;
}

export function progressLine(p: ProgressSample): string {
  const pct = Math.min(100, (p.elapsedS / p.durationS) * 100);
  const s = p.summary;
  const errors = s.failed_requests + s.dropped_requests;
  return (
    `${p.elapsedS.toFixed(0).padStart(4)}s/${p.durationS}s ${pct.toFixed(0).padStart(3)}%  ` +
    `${p.currentRps.toFixed(0).padStart(7)} req/s  total ${s.total_requests}  ` +
    `p50 ${fmtMs(s.latency_ms.p50)}  p99 ${fmtMs(s.latency_ms.p99)}  errors ${errors}`
  );
}

export function fmtMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)}s`;
  if (ms >= 10) return `${ms.toFixed(0)}ms`;
  return `${ms.toFixed(2)}ms`;
}

export class ProgressPrinter {
  readonly #out: NodeJS.WriteStream;
  readonly #tty: boolean;
  #lastPlain = -Infinity;

  constructor(out: NodeJS.WriteStream = process.stderr) {
    this.#out = out;
    this.#tty = out.isTTY === true;
  }

  update(sample: ProgressSample): void {
    const line = progressLine(sample);
    if (this.#tty) this.#out.write(`\r\x1b[2K${line}`);
    else if (sample.elapsedS - this.#lastPlain >= 5) {
      this.#out.write(`${line}\n`);
      this.#lastPlain = sample.elapsedS;
    }
  }

  done(): void {
    if (this.#tty) this.#out.write('\n');
  }
}
