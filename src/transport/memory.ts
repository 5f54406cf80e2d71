// In-memory transport: peers in one process joined by a MemoryNetwork that can cut links.
// Frames are copied and size-checked exactly as on the wire.
import { encodeError } from '../protocol/frame.js';
import { McpError, errorMessage } from '../errors.js';
import { silentLogger, type Logger } from '../util/log.js';
import { TransportError, checkFrameSize } from './errors.js';
import { Listeners } from './listeners.js';
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  MAX_FRAME_BYTES,
  type PeerEvent,
  type RequestHandler,
  type RequestOptions,
  type TopicMessage,
  type Transport,
  type Unsubscribe,
} from './transport.js';

const key = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);

export class MemoryNetwork {
  readonly #peers = new Map<string, MemoryTransport>();
  readonly #links = new Set<string>();
  readonly #blocked = new Set<string>();

  /** A new peer on this network. Connections are made with `connect` (or `connectAll`). */
  createTransport(id: string, log: Logger = silentLogger): MemoryTransport {
    if (this.#peers.has(id)) throw new Error(`peer ${id} already on the network`);
    const transport = new MemoryTransport(id, this, log);
    this.#peers.set(id, transport);
    return transport;
  }

  peer(id: string): MemoryTransport | undefined {
    return this.#peers.get(id);
  }

  isLinked(a: string, b: string): boolean {
    return this.#links.has(key(a, b));
  }

  linksOf(id: string): string[] {
    return [...this.#peers.keys()].filter((other) => other !== id && this.isLinked(id, other));
  }

  link(a: string, b: string): boolean {
    if (a === b || this.isLinked(a, b) || this.#blocked.has(key(a, b))) return false;
    const pa = this.#peers.get(a);
    const pb = this.#peers.get(b);
    if (!pa || !pb) return false;
    this.#links.add(key(a, b));
    pa.emitPeer({ type: 'peer.connected', peer: b });
    pb.emitPeer({ type: 'peer.connected', peer: a });
    return true;
  }

  unlink(a: string, b: string): void {
    if (!this.#links.delete(key(a, b))) return;
    this.#peers.get(a)?.emitPeer({ type: 'peer.disconnected', peer: b });
    this.#peers.get(b)?.emitPeer({ type: 'peer.disconnected', peer: a });
  }

  connectAll(): void {
    const ids = [...this.#peers.keys()];
    for (const a of ids) for (const b of ids) if (a < b) this.link(a, b);
  }

  /** Cut every link between the two sides and refuse new ones until `heal`. */
  partition(sideA: readonly string[], sideB: readonly string[]): void {
    for (const a of sideA)
      for (const b of sideB) {
        this.#blocked.add(key(a, b));
        this.unlink(a, b);
      }
  }

  heal(): void {
    this.#blocked.clear();
  }

  remove(id: string): void {
    for (const other of this.linksOf(id)) this.unlink(id, other);
    this.#peers.delete(id);
  }
}

export class MemoryTransport implements Transport {
  readonly self: string;
  readonly #network: MemoryNetwork;
  readonly #log: Logger;
  readonly #topics = new Map<string, Listeners<TopicMessage>>();
  readonly #handlers = new Map<string, RequestHandler>();
  readonly #peerEvents = new Listeners<PeerEvent>();
  #stopped = false;

  constructor(id: string, network: MemoryNetwork, log: Logger) {
    this.self = id;
    this.#network = network;
    this.#log = log;
  }

  addresses(): string[] {
    return [`/memory/${this.self}`];
  }

  connectedPeers(): string[] {
    return this.#network.linksOf(this.self);
  }

  /** In memory nothing travels: no round trip to measure. */
  roundTripMs(): number | undefined {
    return undefined;
  }

  async publish(topic: string, data: Uint8Array): Promise<void> {
    this.#assertRunning();
    checkFrameSize(data, MAX_FRAME_BYTES);
    for (const peer of this.connectedPeers()) {
      const copy = data.slice();
      queueMicrotask(() => this.#network.peer(peer)?.deliver({ from: this.self, topic, data: copy }));
    }
  }

  subscribe(topic: string, handler: (message: TopicMessage) => void): Unsubscribe {
    let listeners = this.#topics.get(topic);
    if (!listeners) this.#topics.set(topic, (listeners = new Listeners()));
    return listeners.add(handler);
  }

  handle(protocol: string, handler: RequestHandler): void {
    this.#handlers.set(protocol, handler);
  }

  async request(peer: string, protocol: string, data: Uint8Array, options: RequestOptions = {}): Promise<Uint8Array> {
    this.#assertRunning();
    checkFrameSize(data, MAX_FRAME_BYTES);
    const remote = this.#network.peer(peer);
    if (!remote || !this.#network.isLinked(this.self, peer)) {
      throw new TransportError('TRANSPORT_UNREACHABLE', `no connection to ${peer}`);
    }
    if (!remote.serves(protocol)) throw new TransportError('TRANSPORT_NO_HANDLER', `${peer} does not serve ${protocol}`);
    const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const reply = remote.answer(this.self, protocol, data.slice());
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TransportError('TRANSPORT_TIMEOUT', `no reply from ${peer} within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const bytes = await Promise.race([reply, timeout]);
      if (!this.#network.isLinked(this.self, peer)) throw new TransportError('TRANSPORT_UNREACHABLE', `connection to ${peer} closed`);
      checkFrameSize(bytes, MAX_FRAME_BYTES);
      return bytes.slice();
    } finally {
      clearTimeout(timer);
    }
  }

  connect(peer: string): void {
    if (!this.#stopped) this.#network.link(this.self, peer);
  }

  onPeerEvent(listener: (event: PeerEvent) => void): Unsubscribe {
    return this.#peerEvents.add(listener);
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#network.remove(this.self);
    this.#topics.clear();
    this.#peerEvents.clear();
  }

  /** @internal called by the network */
  emitPeer(event: PeerEvent): void {
    this.#peerEvents.emit(event, (error) => this.#log.error('peer listener failed', { error }));
  }

  /** @internal */
  deliver(message: TopicMessage): void {
    if (this.#stopped || !this.#network.isLinked(this.self, message.from)) return;
    this.#topics.get(message.topic)?.emit(message, (error) => this.#log.error('topic listener failed', { topic: message.topic, error }));
  }

  /** @internal */
  serves(protocol: string): boolean {
    return this.#handlers.has(protocol);
  }

  /** @internal */
  async answer(from: string, protocol: string, data: Uint8Array): Promise<Uint8Array> {
    await Promise.resolve();
    const handler = this.#handlers.get(protocol);
    if (!handler) return encodeError('TRANSPORT_NO_HANDLER', `${this.self} does not serve ${protocol}`);
    try {
      return await handler({ from, data });
    } catch (error) {
      return encodeError(error instanceof McpError ? error.code : 'INTERNAL', errorMessage(error));
    }
  }

  #assertRunning(): void {
    if (this.#stopped) throw new TransportError('TRANSPORT_STOPPED', `transport ${this.self} is stopped`);
  }
}
