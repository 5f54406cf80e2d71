// A cluster of real peers (`node peer.js`) on 127.0.0.1 for integration tests: static bootstrap, mDNS off.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, getJson, startPeerProcess, waitFor, type PeerProcess } from '../../scripts/lib/peer-process.js';

export interface Health {
  node_id: string;
  coordinator: string | null;
  term: number | null;
  members: number;
}

export class LocalCluster {
  readonly peers: (PeerProcess | undefined)[] = [];
  #dir = '';
  #ports: number[] = [];

  /** Ports and folders for `size` peers; none started yet. */
  static async create(size: number): Promise<LocalCluster> {
    const cluster = new LocalCluster();
    cluster.#dir = await mkdtemp(join(tmpdir(), 'mcpdt-it-'));
    for (let i = 0; i < size; i++) cluster.#ports.push(await freePort());
    return cluster;
  }

  /** `size` peers started together, once they agree on a coordinator. */
  static async start(size: number): Promise<LocalCluster> {
    const cluster = await LocalCluster.create(size);
    await Promise.all(cluster.#ports.map((_, i) => cluster.restart(i)));
    await cluster.waitForCoordinator();
    return cluster;
  }

  /** The folder of this cluster's files (data directories, configuration files). */
  get dir(): string {
    return this.#dir;
  }

  async restart(i: number, env: Record<string, string> = {}, args: string[] = []): Promise<PeerProcess> {
    const peer = await startPeerProcess({
      dataDir: join(this.#dir, `peer-${i}`),
      p2pPort: this.#ports[i]!,
      bootstrap: this.#ports.filter((_, j) => j !== i).map((p) => `127.0.0.1:${p}`),
      logLevel: 'info',
      env,
      args,
    });
    this.peers[i] = peer;
    return peer;
  }

  alive(): PeerProcess[] {
    return this.peers.filter((p): p is PeerProcess => p !== undefined && p.child.exitCode === null && p.child.signalCode === null);
  }

  health(peer: PeerProcess): Promise<Health> {
    return getJson<Health>(`${peer.httpUrl}/api/health`);
  }

  /** Waits until every live peer names the same coordinator (other than `not`); returns it. */
  async waitForCoordinator(timeoutMs = 15_000, not?: string): Promise<PeerProcess> {
    const id = await waitFor(
      async () => {
        const all = await Promise.all(this.alive().map((p) => this.health(p)));
        const first = all[0]?.coordinator;
        return first && first !== not && all.every((h) => h.coordinator === first && h.members === all.length) ? first : undefined;
      },
      timeoutMs,
      'one coordinator named by every peer',
    );
    return this.alive().find((p) => p.id === id)!;
  }

  async close(): Promise<void> {
    await Promise.all(this.alive().map((p) => p.kill('SIGKILL')));
    await rm(this.#dir, { recursive: true, force: true });
  }
}
