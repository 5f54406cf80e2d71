// Server-sent events for the live page: one timer for all open pages. Each interval the hub looks for new
// deltas (a cheap row-cursor check), builds one update when something changed (or once a second for
// nodes and progress), serialises it once and writes the same bytes to every page. No page, no timer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExecutionFeed, SeriesUpdate } from '../../live/execution-feed.js';
import { liveExecution, type LiveExecution } from '../../live/live-status.js';
import type { NodeHealthSample } from '../../metrics/sources.js';

export interface LiveNode {
  node_id: string;
  status: string;
  http_url: string;
  capabilities: string[];
  location: string;
  is_self: boolean;
}

export interface ExecutionSummary {
  execution_id: string;
  name: string;
  status: string;
  progress_percent: number;
  created_at: number;
}

export interface LiveSources {
  feed: ExecutionFeed;
  nodes(): Promise<LiveNode[]>;
  coordinator(): Promise<{ node_id: string; term: number } | null>;
  /** The newest executions, newest first. */
  executions(limit: number): ExecutionSummary[];
  nodeHealth(): NodeHealthSample[];
}

export interface LiveHubOptions {
  /** How often new deltas are looked for (ms). */
  pollMs?: number;
  /** Longest quiet time between two updates (ms). */
  heartbeatMs?: number;
  /** Most pages served at once; more are refused with 503. */
  maxClients?: number;
}

interface Update {
  now: number;
  /** When the newest delta in this update was seen by the peer (epoch ms): the page measures display delay from it. */
  seen_at: number;
  coordinator: { node_id: string; term: number } | null;
  nodes: (LiveNode & { is_coordinator: boolean; health: NodeHealthSample | null })[];
  executions: ExecutionSummary[];
  live: (LiveExecution & { points: SeriesUpdate })[];
}

export class LiveHub {
  readonly #sources: LiveSources;
  readonly #pollMs: number;
  readonly #heartbeatMs: number;
  readonly #maxClients: number;
  readonly #clients = new Set<ServerResponse>();
  #timer: NodeJS.Timeout | undefined;
  #lastSentAt = 0;
  #lastArrival = 0;
  #busy = false;

  constructor(sources: LiveSources, options: LiveHubOptions = {}) {
    this.#sources = sources;
    this.#pollMs = options.pollMs ?? 100;
    this.#heartbeatMs = options.heartbeatMs ?? 1_000;
    this.#maxClients = options.maxClients ?? 100;
  }

  get clients(): number {
    return this.#clients.size;
  }

  /** The route handler's stream: a snapshot first (every point so far), then shared updates. */
  connect(res: ServerResponse, req: IncomingMessage): void {
    if (this.#clients.size >= this.#maxClients) {
      res.writeHead(503, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: { code: 'TOO_MANY_PAGES', message: `at most ${this.#maxClients} live pages at once`, details: null } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.socket?.setNoDelay(true);
    this.#clients.add(res);
    const drop = () => this.#drop(res);
    req.on('close', drop);
    res.on('error', drop);
    void this.#build(true)
      .then((snapshot) => res.write(frame('snapshot', JSON.stringify(snapshot))))
      .catch(drop);
    this.#timer ??= setInterval(() => void this.#tick(), this.#pollMs);
  }

  /** The snapshot a new page starts from, alone (for a page that shares another tab's event stream). */
  snapshot(): Promise<Update> {
    return this.#build(true);
  }

  close(): void {
    for (const res of this.#clients) res.end();
    this.#clients.clear();
    this.#stopTimer();
  }

  #drop(res: ServerResponse): void {
    this.#clients.delete(res);
    if (this.#clients.size === 0) this.#stopTimer();
  }

  #stopTimer(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #tick(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const now = Date.now();
      this.#sources.feed.poll(now);
      const arrived = this.#sources.feed.lastArrivalAt !== this.#lastArrival;
      if (!arrived && now - this.#lastSentAt < this.#heartbeatMs) return;
      this.#lastArrival = this.#sources.feed.lastArrivalAt;
      this.#lastSentAt = now;
      const bytes = frame('update', JSON.stringify(await this.#build(false)));
      for (const res of this.#clients) res.write(bytes);
    } catch {
      // A member list or status that could not be read this time: the next tick tries again.
      this.#lastSentAt = 0;
    } finally {
      this.#busy = false;
    }
  }

  /** Membership and office, asked of their actors at most once per heartbeat: an update that new results
   *  triggered goes out without waiting on other mailboxes. */
  #clusterCache: { at: number; value: Promise<{ nodes: LiveNode[]; coordinator: Update['coordinator'] }> } | undefined;
  #cluster(now: number, fresh: boolean) {
    if (fresh || !this.#clusterCache || now - this.#clusterCache.at >= this.#heartbeatMs) {
      const value = Promise.all([this.#sources.nodes(), this.#sources.coordinator()]).then(([nodes, coordinator]) => ({ nodes, coordinator }));
      // A cached answer that failed is not kept.
      value.catch(() => (this.#clusterCache = undefined));
      if (!this.#clusterCache) this.#clusterCache = { at: now, value };
      else {
        const previous = this.#clusterCache.value;
        this.#clusterCache = { at: now, value };
        // Use the previous answer now if the fresh one is not there yet (it serves the next update).
        if (!fresh) return Promise.race([value, previous]);
      }
      return value;
    }
    return this.#clusterCache.value;
  }

  async #build(full: boolean): Promise<Update> {
    const now = Date.now();
    const { feed } = this.#sources;
    if (full) feed.poll(now);
    const { nodes, coordinator } = await this.#cluster(now, full);
    const health = new Map(this.#sources.nodeHealth().map((h) => [h.node_id, h]));
    const live = feed.executions().map((doc) => {
      const results = feed.results(doc.execution_id)!;
      const points = full ? feed.series(doc.execution_id) : feed.takeUpdates(doc.execution_id);
      return { ...liveExecution(doc, results.byTask, results.byNode, now), points };
    });
    return {
      now,
      seen_at: feed.lastArrivalAt,
      coordinator,
      nodes: nodes.map((n) => ({ ...n, is_coordinator: n.node_id === coordinator?.node_id, health: health.get(n.node_id) ?? null })),
      executions: this.#sources.executions(20),
      live,
    };
  }
}

function frame(event: string, data: string): string {
  return `event: ${event}\ndata: ${data}\n\n`;
}
