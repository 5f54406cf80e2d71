// The Transport over libp2p 3: gossipsub topics, one length-prefixed frame each way per request stream.
import { lpStream } from '@libp2p/utils';
import { peerIdFromString } from '@libp2p/peer-id';
import type { Message as PubsubMessage } from '@libp2p/gossipsub';
import type { Stream, Connection } from '@libp2p/interface';
import { encodeError } from '../../protocol/frame.js';
import { McpError, errorMessage } from '../../errors.js';
import type { Logger } from '../../util/log.js';
import { TransportError } from '../errors.js';
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
}

const INBOUND_READ_TIMEOUT_MS = 10_000;

export class Libp2pTransport implements Transport {
  readonly self: string;
  readonly node: PeerNode;
  readonly #log: Logger;
  readonly #keeper: ConnectionKeeper;
  readonly #topics = new Map<string, Listeners<TopicMessage>>();
  readonly #peerEvents = new Listeners<PeerEvent>();
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
    node.addEventListener('peer:disconnect', (e) => this.#emitPeer({ type: 'peer.disconnected', peer: e.detail.toString() }));
    node.services.pubsub.addEventListener('message', (e) => this.#onPubsub(e.detail));
  }

  addresses(): string[] {
    return this.node.getMultiaddrs().map((a) => a.toString());
  }

  connectedPeers(): string[] {
    return [...new Set(this.node.getConnections().map((c) => c.remotePeer.toString()))];
  }

  async publish(topic: string, data: Uint8Array): Promise<void> {
    this.#assertRunning();
    checkSize(data);
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
    checkSize(data);
    const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
    let stream: Stream;
    try {
      stream = await this.node.dialProtocol(peerIdFromString(peer), protocol, { signal });
    } catch (error) {
      if (signal.aborted) throw new TransportError('TRANSPORT_TIMEOUT', `no stream to ${peer} within ${timeoutMs} ms`, error);
      if ((error as Error).name === 'UnsupportedProtocolError') throw new TransportError('TRANSPORT_NO_HANDLER', `${peer} does not serve ${protocol}`, error);
      throw new TransportError('TRANSPORT_UNREACHABLE', `cannot open ${protocol} to ${peer}: ${errorMessage(error)}`, error);
    }
    try {
      const lp = lpStream(stream, { maxDataLength: MAX_FRAME_BYTES });
      await lp.write(data, { signal });
      const reply = await lp.read({ signal });
      await stream.close({ signal }).catch(() => undefined);
      return reply.subarray();
    } catch (error) {
      stream.abort(error instanceof Error ? error : new Error(String(error)));
      if (signal.aborted) throw new TransportError('TRANSPORT_TIMEOUT', `no reply from ${peer} within ${timeoutMs} ms`, error);
      throw new TransportError('TRANSPORT_FAILED', `request to ${peer} on ${protocol} failed: ${errorMessage(error)}`, error);
    }
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
    this.#keeper.stop();
    await this.node.stop();
    this.#topics.clear();
    this.#peerEvents.clear();
  }

  async #answer(stream: Stream, connection: Connection, handler: RequestHandler): Promise<void> {
    const lp = lpStream(stream, { maxDataLength: MAX_FRAME_BYTES });
    const signal = AbortSignal.timeout(INBOUND_READ_TIMEOUT_MS);
    let request: Uint8Array;
    try {
      request = (await lp.read({ signal })).subarray();
    } catch (error) {
      // Oversized or truncated frame: say why if we can, then drop the stream. The peer keeps serving.
      this.#log.warn('rejected inbound frame', { from: connection.remotePeer.toString(), error });
      await lp.write(encodeError('WIRE_INVALID_FRAME', errorMessage(error)), { signal }).catch(() => undefined);
      stream.abort(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    let reply: Uint8Array;
    try {
      reply = await handler({ from: connection.remotePeer.toString(), data: request });
    } catch (error) {
      reply = encodeError(error instanceof McpError ? error.code : 'INTERNAL', errorMessage(error));
    }
    try {
      await lp.write(reply, { signal });
      await stream.close({ signal });
    } catch (error) {
      stream.abort(error instanceof Error ? error : new Error(String(error)));
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

function checkSize(data: Uint8Array): void {
  if (data.byteLength > MAX_FRAME_BYTES) {
    throw new TransportError('TRANSPORT_FRAME_TOO_LARGE', `frame of ${data.byteLength} bytes exceeds ${MAX_FRAME_BYTES}`);
  }
}
