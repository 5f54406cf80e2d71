// A minimal Chrome DevTools Protocol client for a child started with `--inspect=127.0.0.1:0`: lets a
// measurement collect garbage, read the child's `process.memoryUsage()` and take heap snapshots without
// the product code knowing anything about it.
import { WebSocket } from 'undici';
import { createWriteStream } from 'node:fs';

const LISTENING = /Debugger listening on (ws:\/\/\S+)/;

/** The inspector's address from what the child wrote to stderr so far, if it has written it. */
export function inspectorUrl(stderr: string): string | undefined {
  return LISTENING.exec(stderr)?.[1];
}

export interface MemoryUsage {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export class InspectorClient {
  readonly #ws: WebSocket;
  #nextId = 1;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly #listeners = new Map<string, (params: Record<string, unknown>) => void>();

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.addEventListener('message', (event) => {
      const msg = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: Record<string, unknown> };
      if (msg.id !== undefined) {
        const pending = this.#pending.get(msg.id);
        this.#pending.delete(msg.id);
        if (msg.error) pending?.reject(new Error(msg.error.message));
        else pending?.resolve(msg.result);
      } else if (msg.method) this.#listeners.get(msg.method)?.(msg.params ?? {});
    });
  }

  static async connect(url: string): Promise<InspectorClient> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve(), { once: true });
      ws.addEventListener('error', () => reject(new Error(`cannot connect to the inspector at ${url}`)), { once: true });
    });
    return new InspectorClient(ws);
  }

  send<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.#nextId++;
    this.#ws.send(JSON.stringify({ id, method, params }));
    return new Promise<T>((resolve, reject) => this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject }));
  }

  /** Full, compacting collections until the heap stops shrinking (finalizers may free more on a second pass). */
  async collectGarbage(): Promise<void> {
    for (let i = 0; i < 3; i++) await this.send('HeapProfiler.collectGarbage');
  }

  async memoryUsage(): Promise<MemoryUsage> {
    const reply = await this.send<{ result: { value: string } }>('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
    return JSON.parse(reply.result.value) as MemoryUsage;
  }

  /** Writes a heap snapshot of the child's main thread to `path` (taking one collects garbage first). */
  async writeHeapSnapshot(path: string): Promise<void> {
    const out = createWriteStream(path);
    this.#listeners.set('HeapProfiler.addHeapSnapshotChunk', (params) => out.write(params.chunk as string));
    await this.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    this.#listeners.delete('HeapProfiler.addHeapSnapshotChunk');
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }

  close(): void {
    this.#ws.close();
  }
}
