// The Transport over libp2p 3: gossipsub topics, one length-prefixed frame each way per request stream.
import { lpStream, type LengthPrefixedStream } from '@libp2p/utils';
import { peerIdFromString } from '@libp2p/peer-id';
import type { Message as PubsubMessage } from '@libp2p/gossipsub';
import type { Stream, Connection } from '@libp2p/interface';
import { encodeError } from '../../protocol/frame.js';
import { McpError, errorMessage } from '../../errors.js';
import type { Logger } from '../../util/log.js';
import { TransportError, checkFrameSize } from '../errors.js';
import { Listeners } from '../listeners.js';
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  MAX_FRAME_BYTES,
  type PeerEvent,
  type RequestHandler,
  type RequestOptions,
  type TopicMessage,
  type Transport,
  type Unsubscribe,
} from '../transport.js';
import { ConnectionKeeper } from './connections.js';
import { createNode, type NodeOptions, type PeerNode } from './node.js';
import { Watchdog, deadline } from './deadline.js';
import { loadOrCreateIdentity } from './identity.js';

export interface Libp2pTransportOptions {
  dataDir: string;
  host: string;
  port: number;
  mdns: boolean;
  bootstrap: readonly string[];
  log: Logger;
  mdnsServiceTag?: string;
  mdnsIntervalMs?: number;
  /** Private-network key: see node.ts. */
  psk?: Uint8Array;
  /** Milliseconds between pings of each connection (30 s; tests use less). */
  pingIntervalMs?: number;
}

const INBOUND_READ_TIMEOUT_MS = 10_000;
/** A pooled stream unused for this long is closed. */
const IDLE_STREAM_MS = 30_000;
/** Idle streams kept per peer and protocol. */
const MAX_IDLE_STREAMS = 8;
/** Our own addresses are read again after this long at the latest (and whenever libp2p says they changed). */
const ADDRESSES_FRESH_MS = 10_000;

interface Channel {
  stream: Stream;
  lp: LengthPrefixedStream<Stream>;
  idleSince: number;
  /** Limits each request on the stream: aborts it when the reply is late. */
  watch: Watchdog;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** A request stream that failed: no more requests on it. */
function discard(channel: Channel, error: unknown): void {
  channel.watch.stop();
  channel.stream.abort(asError(error));
}

function closeChannel(channel: Channel): void {
  channel.watch.stop();
  void channel.stream.close().catch(() => channel.stream.abort(new Error('closed')));
}

/** Idle request streams by peer and protocol. */
class StreamPool {
  readonly #idle = new Map<string, Channel[]>();

  take(key: string): Channel | undefined {
    const list = this.#idle.get(key);
    while (list && list.length > 0) {
      const channel = list.pop()!;
      if (channel.stream.status === 'open' && channel.stream.writeStatus === 'writable' && channel.stream.readStatus === 'readable') return channel;
      discard(channel, new Error('stale pooled stream'));
    }
    return undefined;
  }

  give(key: string, channel: Channel): void {
    let list = this.#idle.get(key);
    if (!list) this.#idle.set(key, (list = []));
    channel.idleSince = Date.now();
    if (list.length < MAX_IDLE_STREAMS) list.push(channel);
    else closeChannel(channel);
  }

  /** Close idle streams older than `IDLE_STREAM_MS`, or all of a peer's, or all. */
  sweep(now: number, peer?: string): void {
    for (const [key, list] of this.#idle) {
      const all = peer === undefined ? false : key.startsWith(`${peer}\n`);
      const keep = list.filter((c) => !all && now - c.idleSince < IDLE_STREAM_MS);
      for (const c of list) if (!keep.includes(c)) closeChannel(c);
      if (keep.length > 0) this.#idle.set(key, keep);
      else this.#idle.delete(key);
    }
  }
}

export class Libp2pTransport implements Transport {
  readonly self: string;
  readonly node: PeerNode;
  readonly #log: Logger;
  readonly #keeper: ConnectionKeeper;
  readonly #topics = new Map<string, Listeners<TopicMessage>>();
  readonly #peerEvents = new Listeners<PeerEvent>();
  readonly #streams = new StreamPool();
  readonly #sweeper: NodeJS.Timeout;
  /** Our addresses as last read, and when: reading them walks libp2p's address manager (a heartbeat each second asks). */
  #addresses: { list: string[]; at: number } | undefined;
  #stopped = false;

  static async start(options: Libp2pTransportOptions): Promise<Libp2pTransport> {
    const privateKey = await loadOrCreateIdentity(options.dataDir);
    const nodeOptions: NodeOptions = {
      privateKey,
      host: options.host,
      port: options.port,
      mdns: options.mdns,
      mdnsServiceTag: options.mdnsServiceTag ?? '_mcpdt._udp.local',
      mdnsIntervalMs: options.mdnsIntervalMs ?? 5_000,
      bootstrapWithIds: options.bootstrap.filter((a) => a.includes('/p2p/')),
      ...(options.psk ? { psk: options.psk } : {}),
      pingIntervalMs: options.pingIntervalMs ?? 30_000,
    };
    const node = await createNode(nodeOptions);
    const transport = new Libp2pTransport(node, options);
    transport.#keeper.start();
    return transport;
  }

  private constructor(node: PeerNode, options: Libp2pTransportOptions) {
    this.node = node;
    this.self = node.peerId.toString();
    this.#log = options.log;
    this.#keeper = new ConnectionKeeper(node, options.bootstrap, options.log);
    node.addEventListener('peer:connect', (e) => this.#emitPeer({ type: 'peer.connected', peer: e.detail.toString() }));
    node.addEventListener('self:peer:update', () => (this.#addresses = undefined));
    node.addEventListener('peer:disconnect', (e) => {
      this.#streams.sweep(Date.now(), e.detail.toString());
      this.#emitPeer({ type: 'peer.disconnected', peer: e.detail.toString() });
    });
    this.#sweeper = setInterval(() => this.#streams.sweep(Date.now()), IDLE_STREAM_MS / 2);
    this.#sweeper.unref();
    node.services.pubsub.addEventListener('message', (e) => this.#onPubsub(e.detail));
  }

  addresses(): string[] {
    const now = Date.now();
    if (!this.#addresses || now - this.#addresses.at > ADDRESSES_FRESH_MS) this.#addresses = { list: this.node.getMultiaddrs().map((a) => a.toString()), at: now };
    return [...this.#addresses.list];
  }

  connectedPeers(): string[] {
    return [...new Set(this.node.getConnections().map((c) => c.remotePeer.toString()))];
  }

  roundTripMs(peer: string): number | undefined {
    const rtts = this.node
      .getConnections()
      .filter((c) => c.remotePeer.toString() === peer && c.status === 'open' && c.rtt !== undefined)
      .map((c) => c.rtt!);
    return rtts.length > 0 ? Math.min(...rtts) : undefined;
  }

  async publish(topic: string, data: Uint8Array): Promise<void> {
    this.#assertRunning();
    checkFrameSize(data, MAX_FRAME_BYTES);
    await this.node.services.pubsub.publish(topic, data);
  }

  subscribe(topic: string, handler: (message: TopicMessage) => void): Unsubscribe {
    let listeners = this.#topics.get(topic);
    if (!listeners) {
      this.#topics.set(topic, (listeners = new Listeners()));
      this.node.services.pubsub.subscribe(topic);
    }
    return listeners.add(handler);
  }

  handle(protocol: string, handler: RequestHandler): void {
    void this.node
      .handle(protocol, (stream, connection) => this.#answer(stream, connection, handler), { maxInboundStreams: 256, force: true })
      .catch((error: unknown) => this.#log.error('cannot register protocol', { protocol, error }));
  }

  async request(peer: string, protocol: string, data: Uint8Array, options: RequestOptions = {}): Promise<Uint8Array> {
    this.#assertRunning();
    checkFrameSize(data, MAX_FRAME_BYTES);
    const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const began = performance.now();
    const left = () => timeoutMs - (performance.now() - began);
    const key = `${peer}\n${protocol}`;
    // An idle stream from an earlier request saves opening and negotiating a new one (a round trip or two).
    let channel = this.#streams.take(key);
    for (;;) {
      const reused = channel !== undefined;
      if (!channel) {
        // Dialling gets what is left of the limit (all of it, unless a stale idle stream failed first).
        if (left() <= 0) throw new TransportError('TRANSPORT_TIMEOUT', `no reply from ${peer} within ${timeoutMs} ms`);
        channel = await this.#open(peer, protocol, left(), timeoutMs);
      }
      // The whole limit on a reused stream (its timer rescheduled); on a new one, what dialling left of it.
      channel.watch.arm(reused ? timeoutMs : Math.max(1, Math.ceil(left())));
      try {
        await channel.lp.write(data);
      } catch (error) {
        discard(channel, error);
        if (reused && !channel.watch.expired) {
          channel = undefined; // the idle stream had died meanwhile: one more try on a fresh one
          continue;
        }
        throw this.#failure(peer, protocol, timeoutMs, channel.watch.expired, error);
      }
      try {
        const reply = await channel.lp.read();
        channel.watch.disarm();
        if (this.#stopped) closeChannel(channel);
        else this.#streams.give(key, channel);
        return reply.subarray();
      } catch (error) {
        discard(channel, error);
        throw this.#failure(peer, protocol, timeoutMs, channel.watch.expired, error);
      }
    }
  }

  /** A new request stream to `peer`, dialled within `budgetMs` (what is left of the request's `timeoutMs`). */
  async #open(peer: string, protocol: string, budgetMs: number, timeoutMs: number): Promise<Channel> {
    const dialing = deadline(Math.ceil(budgetMs));
    try {
      const stream = await this.node.dialProtocol(peerIdFromString(peer), protocol, { signal: dialing.signal });
      return {
        stream,
        lp: lpStream(stream, { maxDataLength: MAX_FRAME_BYTES }),
        idleSince: 0,
        watch: new Watchdog(() => stream.abort(new TransportError('TRANSPORT_TIMEOUT', 'no reply in time'))),
      };
    } catch (error) {
      if (dialing.signal.aborted) throw new TransportError('TRANSPORT_TIMEOUT', `no stream to ${peer} within ${timeoutMs} ms`, error);
      if ((error as Error).name === 'UnsupportedProtocolError') throw new TransportError('TRANSPORT_NO_HANDLER', `${peer} does not serve ${protocol}`, error);
      throw new TransportError('TRANSPORT_UNREACHABLE', `cannot open ${protocol} to ${peer}: ${errorMessage(error)}`, error);
    } finally {
      dialing.clear();
    }
  }

  #failure(peer: string, protocol: string, timeoutMs: number, timedOut: boolean, error: unknown): TransportError {
    if (timedOut) return new TransportError('TRANSPORT_TIMEOUT', `no reply from ${peer} within ${timeoutMs} ms`, error);
    return new TransportError('TRANSPORT_FAILED', `request to ${peer} on ${protocol} failed: ${errorMessage(error)}`, error);
  }

  connect(peer: string, addresses: readonly string[]): void {
    if (this.#stopped) return;
    try {
      this.#keeper.ensure(peer, addresses);
    } catch (error) {
      this.#log.debug('cannot connect', { peer, error });
    }
  }

  onPeerEvent(listener: (event: PeerEvent) => void): Unsubscribe {
    return this.#peerEvents.add(listener);
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#sweeper);
    this.#streams.sweep(Infinity);
    this.#keeper.stop();
    await this.node.stop();
    this.#topics.clear();
    this.#peerEvents.clear();
  }

  /** Answer request frames on one stream, one after another, until the caller closes it or it idles out. */
  async #answer(stream: Stream, connection: Connection, handler: RequestHandler): Promise<void> {
    const lp = lpStream(stream, { maxDataLength: MAX_FRAME_BYTES });
    const from = connection.remotePeer.toString();
    const watch = new Watchdog(() => stream.abort(new TransportError('TRANSPORT_TIMEOUT', 'inbound stream timed out')));
    try {
      for (let served = 0; ; served++) {
        let request: Uint8Array;
        watch.arm(served === 0 ? INBOUND_READ_TIMEOUT_MS : IDLE_STREAM_MS * 2);
        try {
          request = (await lp.read()).subarray();
        } catch (error) {
          if (watch.expired) return; // aborted: nothing came in time
          if (served > 0 && stream.readStatus !== 'readable') return; // the caller closed its idle stream
          if (served > 0) {
            stream.abort(asError(error));
            return;
          }
          // Oversized or truncated frame: say why if we can, then drop the stream. The peer keeps serving.
          this.#log.warn('rejected inbound frame', { from, error });
          watch.arm(1_000);
          await lp.write(encodeError('WIRE_INVALID_FRAME', errorMessage(error))).catch(() => undefined);
          stream.abort(asError(error));
          return;
        }
        watch.disarm();
        let reply: Uint8Array;
        try {
          reply = await handler({ from, data: request });
        } catch (error) {
          reply = encodeError(error instanceof McpError ? error.code : 'INTERNAL', errorMessage(error));
        }
        watch.arm(INBOUND_READ_TIMEOUT_MS);
        try {
          await lp.write(reply);
        } catch (error) {
          stream.abort(asError(error));
          return;
        }
      }
    } finally {
      watch.stop();
    }
  }

  #onPubsub(message: PubsubMessage): void {
    if (message.type !== 'signed') return; // we only accept signed messages: `from` must be authentic
    const listeners = this.#topics.get(message.topic);
    if (!listeners) return;
    const event: TopicMessage = { from: message.from.toString(), topic: message.topic, data: message.data };
    listeners.emit(event, (error) => this.#log.error('topic listener failed', { topic: message.topic, error }));
  }

  #emitPeer(event: PeerEvent): void {
    this.#peerEvents.emit(event, (error) => this.#log.error('peer listener failed', { error }));
  }

  #assertRunning(): void {
    if (this.#stopped) throw new TransportError('TRANSPORT_STOPPED', 'transport is stopped');
  }
}
