// A lane on undici: one Client (one keep-alive socket), driven through the raw dispatch-handler API with
// the exchange as its own handler. The path for what the engine's own client does not carry (https).
// undici's Client is loaded with the first lane that needs it, not with the engine: it brings `node:http`,
// `node:tls` and `node:http2` with it, about 15 ms of CPU at every `node peer.js run` and every load
// worker's start for a run whose targets are all plain http (scripts/bench/startup.ts). Exchanges
// dispatched before it has loaded (a run without warm-up, whose first https request comes within moments
// of its start) wait for it; one that expires meanwhile is aborted as undici hands it a socket
// (Exchange.abortDispatch).
import type Client from 'undici/lib/dispatcher/client.js'; // not the index: see src/types/undici-parts.d.ts
import type { Dispatcher } from 'undici';
import type { Exchange } from './exchange.js';
import type { Lane, PreparedTarget } from './lanes.js';

type ClientClass = typeof Client;
/** undici's Client once loaded; the load under way. */
let loadedClient: ClientClass | undefined;
let loadingClient: Promise<ClientClass> | undefined;

function loadClient(): Promise<ClientClass> {
  loadingClient ??= import('undici/lib/dispatcher/client.js').then((m) => (loadedClient = m.default));
  return loadingClient;
}

export class UndiciLane implements Lane {
  inFlight = 0;
  listed = true;
  #client: Client | undefined;
  /** Dispatched before undici's Client had loaded, in order. */
  #waiting: [Dispatcher.DispatchOptions, Exchange][] = [];
  readonly #ready: Promise<Client | undefined>;

  constructor(origin: string, pipelining: number) {
    const create = (C: ClientClass) => new C(origin, { pipelining, keepAliveTimeout: 30_000 });
    if (loadedClient !== undefined) {
      this.#client = create(loadedClient);
      this.#ready = Promise.resolve(this.#client);
      return;
    }
    this.#ready = loadClient().then(
      (C) => {
        const client = (this.#client = create(C));
        for (const [options, exchange] of this.#waiting) client.dispatch(options, exchange);
        this.#waiting = [];
        return client;
      },
      (err: unknown) => {
        // Nothing can carry them: each fails as a transport error would.
        for (const [, exchange] of this.#waiting) exchange.onError(err instanceof Error ? err : new Error(String(err)));
        this.#waiting = [];
        return undefined;
      },
    );
  }

  dispatch(target: PreparedTarget, exchange: Exchange): void {
    if (this.#client !== undefined) this.#client.dispatch(target.options, exchange);
    else this.#waiting.push([target.options, exchange]);
  }

  expire(exchange: Exchange): void {
    exchange.abortDispatch();
  }

  async close(): Promise<void> {
    await (await this.#ready)?.close();
  }

  async destroy(): Promise<void> {
    await (await this.#ready)?.destroy();
  }
}
