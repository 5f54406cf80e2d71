// Real peers (`node peer.js`), each in its own namespace of a Network, and the counting target in its
// own; the test talks to them through the target's control socket (see target.mjs).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPeerProcess, waitFor, type PeerProcess } from '../../../scripts/lib/peer-process.js';
import { Network, peerIp, TARGET_IP } from './netns.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const P2P_PORT = 4001;
export const HTTP_PORT = 8080;
export const TARGET_PORT = 8000;

export interface Health {
  node_id: string;
  coordinator: string | null;
  term: number | null;
  members: number;
}

export class NsCluster {
  readonly peers: (PeerProcess | undefined)[] = [];
  #target: ChildProcess | undefined;
  #socket = '';
  #dir = '';

  private constructor(readonly net: Network) {}

  static async start(size: number): Promise<NsCluster> {
    const cluster = new NsCluster(new Network(size));
    try {
      cluster.#dir = await mkdtemp(join(tmpdir(), 'mcpdt-faults-'));
      cluster.#socket = join(cluster.#dir, 'target.sock');
      await cluster.#startTarget();
      await Promise.all(cluster.net.peerNs.map((_, i) => cluster.restart(i)));
      await cluster.waitForCoordinator(60_000);
    } catch (error) {
      await cluster.close();
      throw error;
    }
    return cluster;
  }

  get size(): number {
    return this.net.size;
  }

  targetUrl(path: string): string {
    return `http://${TARGET_IP}:${TARGET_PORT}${path}`;
  }

  async #startTarget(): Promise<void> {
    // The target is the instrument, not the system under test: at a higher priority than the peers, so
    // that a starved machine delays its stamping of arrivals as little as possible (see target.mjs).
    const child = spawn('ip', ['netns', 'exec', this.net.targetNs, 'nice', '-n', '-10', process.execPath, join(HERE, 'target.mjs'), TARGET_IP, String(TARGET_PORT), this.#socket], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#target = child;
    let out = '';
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.setEncoding('utf8').on('data', (c: string) => c.includes('target ready') && resolve());
      void once(child, 'exit').then(() => reject(new Error(`the target exited: ${out}`)));
    });
  }

  async restart(i: number): Promise<PeerProcess> {
    const ip = peerIp(i);
    const peer = await startPeerProcess({
      netns: this.net.peerNs[i]!,
      dataDir: join(this.#dir, `peer-${i}`),
      httpPort: HTTP_PORT,
      p2pPort: P2P_PORT,
      bootstrap: this.net.peerNs.map((_, j) => j).filter((j) => j !== i).map((j) => `${peerIp(j)}:${P2P_PORT}`),
      logLevel: process.env.FAULTS_LOG_LEVEL ?? 'warn',
      // A peer on a non-loopback address needs a token or --insecure: these namespaces hold nobody else.
      env: { MCP_ORCHESTRATOR_HOST: ip, MCP_P2P_HOST: ip, MCP_INSECURE: 'true', MCP_LOAD_WORKERS: '1' },
      startTimeoutMs: 30_000,
    });
    this.peers[i] = peer;
    return peer;
  }

  isAlive(i: number): boolean {
    const p = this.peers[i];
    return p !== undefined && p.child.exitCode === null && p.child.signalCode === null;
  }

  /** Raw answer of the control socket. */
  control(method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs = 5_000): Promise<{ status: number; json: any }> {
    return new Promise((resolve, reject) => {
      const req = request({ socketPath: this.#socket, method, path, timeout: timeoutMs, headers: body === undefined ? {} : { 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) });
          } catch (error) {
            reject(new Error(`control ${path}: ${text.slice(0, 200)} (${String(error)})`));
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error(`control ${path} timed out`)));
      req.on('error', reject);
      if (body !== undefined) req.write(JSON.stringify(body));
      req.end();
    });
  }

  /** A request to peer `i`'s API, through the target's namespace. */
  api(i: number, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const url = `http://${peerIp(i)}:${HTTP_PORT}${path}`;
    return this.control(method, `/proxy?url=${encodeURIComponent(url)}&timeout=2500`, body);
  }

  /** A GET of peer `i`'s API whose answer is text (the metrics). */
  async apiText(i: number, path: string): Promise<string> {
    const url = `http://${peerIp(i)}:${HTTP_PORT}${path}`;
    const r = await this.control('GET', `/proxy?raw=1&url=${encodeURIComponent(url)}&timeout=2500`);
    return typeof r.json === 'string' ? r.json : '';
  }

  /** Spans [from, to] (epoch ms) in which the target's own event loop stalled. */
  async targetStalls(): Promise<[number, number][]> {
    return (await this.control('GET', '/stalls')).json as [number, number][];
  }

  async arrivals(path: string): Promise<number[]> {
    return (await this.control('GET', `/arrivals?path=${encodeURIComponent(path)}`)).json as number[];
  }

  async health(i: number): Promise<Health | undefined> {
    const r = await this.api(i, 'GET', '/api/health').catch(() => undefined);
    return r && r.status < 500 && r.json?.node_id ? (r.json as Health) : undefined;
  }

  /** Waits until every live peer names the same coordinator and sees every live peer; its index. */
  async waitForCoordinator(timeoutMs: number): Promise<number> {
    return waitFor(
      async () => {
        const live = this.peers.map((_, i) => i).filter((i) => this.isAlive(i));
        const all = await Promise.all(live.map((i) => this.health(i)));
        const first = all[0]?.coordinator;
        if (!first || !all.every((h) => h?.coordinator === first && h.members === live.length)) return undefined;
        const index = this.peers.findIndex((p) => p?.id === first);
        return index >= 0 ? index : undefined;
      },
      timeoutMs,
      'one coordinator named by every peer',
      250,
    );
  }

  async close(): Promise<void> {
    await Promise.all(
      this.peers.map(async (p) => {
        if (!p) return;
        try {
          p.child.kill('SIGCONT');
        } catch {
          // gone
        }
        await p.kill('SIGKILL');
      }),
    );
    if (this.#target && this.#target.exitCode === null) {
      this.#target.kill('SIGKILL');
      await once(this.#target, 'exit').catch(() => undefined);
    }
    this.net.close();
    if (this.#dir) await rm(this.#dir, { recursive: true, force: true });
  }
}
