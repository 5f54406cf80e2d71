// Connections ("lanes") to one origin, handed out from a stack of those with room: the first connection
// is used first, so low rates open few sockets, and nothing is scanned per request.
import type { Dispatcher } from 'undici';
import type { Exchange } from './exchange.js';

/** A target ready to send: what either request path needs, built once. */
export interface PreparedTarget {
  origin: Origin;
  /** undici's dispatch options (undici path). */
  options: Dispatcher.DispatchOptions;
  /** The whole request as it goes on the wire (own path). */
  request: Buffer;
  /** A HEAD request: its response has no body. */
  head: boolean;
  /** Bytes on the wire per request (request line, headers, body); estimated on the undici path. */
  bytesOut: number;
  timeoutMs: number;
  /** ok[status] is 1 when the status counts as success. */
  ok: Uint8Array;
}

/** One connection, with a count of the requests on it (kept by Origin). */
export interface Lane {
  inFlight: number;
  /** On its origin's stack of lanes with room. */
  listed: boolean;
  dispatch(target: PreparedTarget, exchange: Exchange): void;
  /** The exchange's deadline passed: end it (and the connection, if it was written). */
  expire(exchange: Exchange): void;
  /** Closes the connection once what is in flight has finished. */
  close(): Promise<void>;
  /** Ends what is in flight (each exchange fails) and closes the connection. */
  destroy(): Promise<void>;
}

export class Origin {
  readonly lanes: Lane[];
  readonly #free: Lane[];
  readonly #capacity: number;
  #next = 0;

  constructor(lanes: Lane[], pipelining: number) {
    this.#capacity = pipelining;
    this.lanes = lanes;
    // Reversed so that the first connection is used first: at low rates only a few sockets open.
    this.#free = [...lanes].reverse();
  }

  acquire(): Lane {
    let lane = this.#free.pop();
    if (lane === undefined) {
      // More requests than connections × pipelining (closed model with many users): the lanes queue them.
      lane = this.lanes[this.#next]!;
      this.#next = (this.#next + 1) % this.lanes.length;
    } else if (lane.inFlight + 1 < this.#capacity) {
      this.#free.push(lane);
    } else {
      lane.listed = false;
    }
    lane.inFlight++;
    return lane;
  }

  release(lane: Lane): void {
    lane.inFlight--;
    if (!lane.listed && lane.inFlight < this.#capacity) {
      lane.listed = true;
      this.#free.push(lane);
    }
  }
}
