// The HTTP side of the security probes: polite (at most `rate` requests per second, at most
// `max_requests` in all), never follows redirects, reads at most MAX_BODY bytes of a body, and asks the
// allow-list before every request. Time comes from the ports, so tests and callers choose the clock.
import Agent from 'undici/lib/dispatcher/agent.js'; // not the index: see src/types/undici-parts.d.ts
import request from 'undici/lib/api/api-request.js';
import { McpError } from '../../../src/errors.js';
import type { SecurityTask } from '../../../src/plan/security-task.js';
import type { ProbeRequest } from '../../../src/report/security-report.js';

export interface ProbePorts {
  /** Epoch milliseconds (the injected clock). */
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Throws (a coded error) when the URL may not be probed: the guardrails' target allow-list. */
  allowTarget(url: string): void | Promise<void>;
}

export interface ProbeResponse {
  request: ProbeRequest;
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
  /** From sending to the end of the body. */
  ms: number;
}

export const PROBE_BUDGET_SPENT = 'PROBE_BUDGET_SPENT';
export const PROBE_STOPPED = 'PROBE_STOPPED';
const MAX_BODY = 512 * 1024;
const USER_AGENT = 'mcpdt-security-probe/1';

export class ProbeClient {
  readonly #task: SecurityTask;
  readonly #ports: ProbePorts;
  readonly #agent = new Agent({ connections: 2, keepAliveTimeout: 2_000 });
  readonly #gapMs: number;
  #next = -Infinity;
  #sent = 0;
  #stopped = false;

  constructor(task: SecurityTask, ports: ProbePorts) {
    this.#task = task;
    this.#ports = ports;
    this.#gapMs = 1000 / task.rate;
  }

  get sent(): number {
    return this.#sent;
  }

  stop(): void {
    this.#stopped = true;
  }

  async send(req: ProbeRequest): Promise<ProbeResponse> {
    if (this.#stopped) throw new McpError(PROBE_STOPPED, 'the scan was stopped');
    if (this.#sent >= this.#task.max_requests) throw new McpError(PROBE_BUDGET_SPENT, `max_requests (${this.#task.max_requests}) reached`);
    await this.#ports.allowTarget(req.url);
    const wait = this.#next - this.#ports.now();
    if (wait > 0) await this.#ports.sleep(wait);
    if (this.#stopped) throw new McpError(PROBE_STOPPED, 'the scan was stopped');
    this.#sent++;
    const started = this.#ports.now();
    this.#next = started + this.#gapMs;
    const headers = { 'user-agent': USER_AGENT, ...this.#task.headers, ...req.headers };
    const timeoutMs = this.#task.timeout * 1000;
    const res = await request.call(this.#agent, {
      origin: new URL(req.url).origin,
      path: pathOf(req.url),
      method: req.method as 'GET',
      headers,
      ...(req.body !== undefined ? { body: req.body } : {}),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const body = await readCapped(res.body);
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k.toLowerCase()] = v;
    return { request: req, status: res.statusCode, headers: out, body, ms: this.#ports.now() - started };
  }

  async close(): Promise<void> {
    await this.#agent.close().catch(() => this.#agent.destroy());
  }
}

function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

async function readCapped(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= MAX_BODY) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, MAX_BODY);
}

/** A header's value as one string (several values joined). */
export function headerOf(res: Pick<ProbeResponse, 'headers'>, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Every value of a header (Set-Cookie comes as several). */
export function headerValues(res: Pick<ProbeResponse, 'headers'>, name: string): string[] {
  const v = res.headers[name.toLowerCase()];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}
