// A lane of the engine's own HTTP/1.1 client: one keep-alive connection on a node:net socket, opened when
// a request first needs it. Each request goes out as its target's prebuilt bytes in one write; responses
// are read into one buffer shared by every connection (net's `onread`: no stream machinery, no
// allocation per read) and parsed in place by ResponseParser. Requests beyond the pipelining depth wait
// in the lane's queue and go out as answers come back.
import { connect, type Socket } from 'node:net';
import { ERROR_INDEX } from '../../src/stats/index.js';
import { errorKindOf, type Exchange } from './exchange.js';
import { ExchangeQueue } from './exchange-queue.js';
import { NEED_MORE, PROTOCOL_ERROR, ResponseParser } from './h1-response.js';
import type { Lane, PreparedTarget } from './lanes.js';

/** Every connection reads into this and it is parsed at once, before the next read can land. */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** How long an idle connection is kept for reuse when the server does not say (as the undici path). */
const IDLE_REUSE_MS = 30_000;
/** A connection is not reused this close to the server's own keep-alive timeout (as undici). */
const KEEP_ALIVE_MARGIN_MS = 2_000;

export interface H1Endpoint {
  host: string;
  port: number;
  pipelining: number;
}

export class H1Lane implements Lane {
  inFlight = 0;
  listed = true;
  readonly #endpoint: H1Endpoint;
  readonly #targets: readonly PreparedTarget[];
  /** Exchanges on this lane, oldest first; the first #written of them are on the socket, awaiting answers. */
  readonly #queue = new ExchangeQueue();
  #written = 0;
  #socket: Socket | undefined;
  #connected = false;
  /** The error the current socket reported before it closed. */
  #error: Error | undefined;
  readonly #parser = new ResponseParser();
  #idleSince = 0;
  #reuseMs = IDLE_REUSE_MS;
  /** close() asked: no more requests, the socket ends once the queue is empty. */
  #closing = false;
  #destroyed = false;
  #closed: Promise<void> | undefined;

  constructor(endpoint: H1Endpoint, targets: readonly PreparedTarget[]) {
    this.#endpoint = endpoint;
    this.#targets = targets;
  }

  dispatch(target: PreparedTarget, ex: Exchange): void {
    if (this.#destroyed || this.#closing) {
      // As undici's client once closed: the exchange fails at once.
      ex.fail(performance.now(), ERROR_INDEX.aborted);
      return;
    }
    const queue = this.#queue;
    // An idle socket the server may be about to close is not worth the race: a fresh one instead.
    if (queue.size === 0 && this.#socket !== undefined && this.#connected && ex.sent - this.#idleSince > this.#reuseMs) this.#detach();
    queue.push(ex);
    if (this.#socket === undefined) this.#connect();
    else if (this.#connected && this.#written < this.#endpoint.pipelining && this.#written === queue.size - 1) {
      // The common case: written at once, so its send time is the dispatch time.
      ex.written = true;
      this.#written++;
      this.#socket.write(target.request);
    }
  }

  expire(ex: Exchange): void {
    const i = this.#queue.indexOf(ex);
    if (i < 0) return;
    const now = performance.now();
    if (i >= this.#written) {
      this.#queue.removeAt(i);
      ex.fail(now, ERROR_INDEX.timeout);
      return;
    }
    // Its answer could only come on this socket, behind those written before it: the socket goes, and
    // the others written on it are abandoned (aborted: their own deadlines had not passed). Never sent
    // again, so that the target receives each request at most once.
    this.#queue.removeAt(i);
    this.#written--;
    this.#drop(ERROR_INDEX.aborted, now);
    ex.fail(now, ERROR_INDEX.timeout);
  }

  close(): Promise<void> {
    this.#closing = true;
    if (this.#queue.size === 0) this.#detach();
    return this.#closed ?? Promise.resolve();
  }

  destroy(): Promise<void> {
    this.#destroyed = true;
    this.#detach();
    this.#written = this.#queue.size;
    this.#fail(ERROR_INDEX.aborted, performance.now());
    return this.#closed ?? Promise.resolve();
  }

  #connect(): void {
    const { host, port } = this.#endpoint;
    const onRead = (n: number): boolean => {
      this.#onRead(socket, n);
      return true;
    };
    const socket: Socket = connect({ host, port, noDelay: true, onread: { buffer: READ_BUFFER, callback: onRead } });
    socket.on('connect', () => this.#onConnect(socket));
    socket.on('error', (err) => {
      if (socket === this.#socket) this.#error = err;
    });
    socket.on('close', () => this.#onClose(socket));
    this.#closed = new Promise((resolve) => socket.once('close', () => resolve()));
    this.#socket = socket;
    this.#connected = false;
    this.#error = undefined;
    this.#parser.reset();
  }

  #onConnect(socket: Socket): void {
    if (socket !== this.#socket) return;
    this.#connected = true;
    const now = performance.now();
    this.#idleSince = now;
    this.#fill(now);
  }

  /** Writes waiting requests while the pipeline has room. */
  #fill(now: number): void {
    const socket = this.#socket!;
    const queue = this.#queue;
    const depth = this.#endpoint.pipelining;
    while (this.#written < depth && this.#written < queue.size) {
      const ex = queue.at(this.#written++);
      ex.sent = now;
      ex.written = true;
      socket.write(this.#targets[ex.target]!.request);
    }
  }

  #onRead(socket: Socket, n: number): void {
    if (socket !== this.#socket) return;
    const now = performance.now();
    const parser = this.#parser;
    const queue = this.#queue;
    let pos = 0;
    while (pos < n) {
      // Bytes that answer nothing sent: the connection is out of step.
      if (this.#written === 0) return this.#drop(ERROR_INDEX.other, now);
      const ex = queue.at(0);
      const at = parser.execute(READ_BUFFER, pos, n, this.#targets[ex.target]!.head);
      if (at === NEED_MORE) return;
      if (at === PROTOCOL_ERROR) return this.#drop(ERROR_INDEX.other, now);
      pos = at;
      queue.shift();
      this.#written--;
      const status = parser.status;
      const bytes = parser.bytes;
      let keepAlive = parser.keepAlive;
      if (parser.keepAliveS >= 0) {
        this.#reuseMs = Math.min(IDLE_REUSE_MS, parser.keepAliveS * 1000 - KEEP_ALIVE_MARGIN_MS);
        if (this.#reuseMs <= 0) keepAlive = false;
      }
      parser.reset();
      if (!keepAlive) {
        // What was written after it can no longer be answered on this socket.
        this.#drop(ERROR_INDEX.reset, now);
      } else if (queue.size > this.#written) this.#fill(now);
      else if (queue.size === 0) {
        this.#idleSince = now;
        if (this.#closing) this.#detach();
      }
      ex.complete(now, status, bytes);
      // The sink may have destroyed the lane, or a drop replaced the socket.
      if (socket !== this.#socket) return;
    }
  }

  #onClose(socket: Socket): void {
    if (socket !== this.#socket) return;
    const now = performance.now();
    const err = this.#error;
    const connected = this.#connected;
    this.#socket = undefined;
    this.#connected = false;
    const parser = this.#parser;
    // A body that ran until the close has ended with it; those written after it fail first, so that
    // nothing the sink dispatches meanwhile finds them still queued.
    let ended: Exchange | undefined;
    let status = 0;
    let bytes = 0;
    if (err === undefined && this.#written > 0 && parser.endOfInput()) {
      ended = this.#queue.shift();
      this.#written--;
      status = parser.status;
      bytes = parser.bytes;
    }
    const kind = err === undefined ? ERROR_INDEX.reset : errorKindOf(err);
    // Could not connect: everything waiting on this lane fails, as undici fails its queue.
    if (!connected && err !== undefined) this.#written = this.#queue.size;
    this.#fail(kind, now);
    ended?.complete(now, status, bytes);
    if (this.#socket === undefined && this.#queue.size > 0 && !this.#destroyed) this.#connect();
  }

  /** Ends the socket: requests written on it fail with `kind`; those not written yet go out on a new one. */
  #drop(kind: number, now: number): void {
    this.#detach();
    this.#fail(kind, now);
    if (this.#socket === undefined && this.#queue.size > 0 && !this.#destroyed) this.#connect();
  }

  /**
   * Fails the requests written on a socket that is gone (the first #written of the queue). Each failure
   * may dispatch again on this lane: new ones queue behind those failed here, for the next socket.
   */
  #fail(kind: number, now: number): void {
    let n = this.#written;
    this.#written = 0;
    this.#parser.reset();
    while (n-- > 0) this.#queue.shift().fail(now, kind);
  }

  /** Forgets the current socket and destroys it (its later events are ignored). */
  #detach(): void {
    const socket = this.#socket;
    if (socket === undefined) return;
    this.#socket = undefined;
    this.#connected = false;
    socket.destroy();
  }
}
