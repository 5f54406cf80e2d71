// Custom health checks: HTTP (expected status), TCP (a connection opens), or a registered async function.
// Each runs on its own interval with its own timeout; a throw or a timeout is a failure.
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { errorMessage } from '../../src/errors.js';
import type { CheckResult } from '../../src/health.js';

export type CheckConfig =
  | { name: string; type: 'http'; url: string; expected_status: number[]; method: string; interval: number; timeout: number }
  | { name: string; type: 'tcp'; host: string; port: number; interval: number; timeout: number };

export interface HealthCheck {
  name: string;
  kind: CheckResult['kind'];
  intervalMs: number;
  timeoutMs: number;
  /** Resolves when healthy; rejects (with the reason) when not. Must give up when `signal` aborts. */
  run(signal: AbortSignal): Promise<void>;
}

async function httpCheck(c: Extract<CheckConfig, { type: 'http' }>, signal: AbortSignal): Promise<void> {
  const response = await fetch(c.url, { method: c.method, signal, redirect: 'manual' });
  await response.body?.cancel();
  if (!c.expected_status.includes(response.status)) throw new Error(`status ${response.status}, expected ${c.expected_status.join(' or ')}`);
}

function tcpCheck(c: Extract<CheckConfig, { type: 'tcp' }>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: c.host, port: c.port });
    const abort = () => {
      socket.destroy();
      reject(new Error('timed out'));
    };
    signal.addEventListener('abort', abort, { once: true });
    socket.once('connect', () => {
      signal.removeEventListener('abort', abort);
      socket.destroy();
      resolve();
    });
    socket.once('error', (error) => {
      signal.removeEventListener('abort', abort);
      reject(error);
    });
  });
}

export function checkFromConfig(c: CheckConfig): HealthCheck {
  return {
    name: c.name,
    kind: c.type,
    intervalMs: c.interval * 1000,
    timeoutMs: c.timeout * 1000,
    run: (signal) => (c.type === 'http' ? httpCheck(c, signal) : tcpCheck(c, signal)),
  };
}

/** A registered async function: true or nothing is healthy, false or a throw is not. */
export function functionCheck(name: string, fn: (signal: AbortSignal) => Promise<boolean | void>, options: { intervalMs: number; timeoutMs: number }): HealthCheck {
  return {
    name,
    kind: 'function',
    ...options,
    async run(signal) {
      if ((await fn(signal)) === false) throw new Error('check returned false');
    },
  };
}

/** Run one check once, bounded by its timeout. `now` stamps the result (the actor's clock). */
export async function runCheck(check: HealthCheck, now: () => number): Promise<CheckResult> {
  const started = performance.now();
  const signal = AbortSignal.timeout(check.timeoutMs);
  let error: string | null = null;
  try {
    await Promise.race([
      check.run(signal),
      new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error(`timed out after ${check.timeoutMs} ms`)), { once: true })),
    ]);
  } catch (e) {
    error = signal.aborted ? `timed out after ${check.timeoutMs} ms` : errorMessage(e).slice(0, 500);
  }
  return { name: check.name, kind: check.kind, ok: error === null, latency_ms: Math.round((performance.now() - started) * 10) / 10, error, at: now() };
}
