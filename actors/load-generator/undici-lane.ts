// A lane on undici: one Client (one keep-alive socket), driven through the raw dispatch-handler API with
// the exchange as its own handler. The path for what the engine's own client does not carry (https).
import Client from 'undici/lib/dispatcher/client.js'; // not the index: see src/types/undici-parts.d.ts
import type { Exchange } from './exchange.js';
import type { Lane, PreparedTarget } from './lanes.js';

export class UndiciLane implements Lane {
  inFlight = 0;
  listed = true;
  readonly #client: Client;

  constructor(origin: string, pipelining: number) {
    this.#client = new Client(origin, { pipelining, keepAliveTimeout: 30_000 });
  }

  dispatch(target: PreparedTarget, exchange: Exchange): void {
    this.#client.dispatch(target.options, exchange);
  }

  expire(exchange: Exchange): void {
    exchange.abortDispatch();
  }

  close(): Promise<void> {
    return this.#client.close();
  }

  destroy(): Promise<void> {
    return this.#client.destroy();
  }
}
