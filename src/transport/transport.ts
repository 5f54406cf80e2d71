// What actors see of the network: publish/subscribe, request/reply to one peer, and peer events.
// Two implementations: libp2p (production) and in-memory (unit tests and simulation).

export type Unsubscribe = () => void;

export interface TopicMessage {
  /** Peer id of the publisher. */
  from: string;
  topic: string;
  data: Uint8Array;
}

export interface InboundRequest {
  from: string;
  data: Uint8Array;
}

/** Answers one request frame with one reply frame. A throw becomes an error frame for the caller. */
export type RequestHandler = (request: InboundRequest) => Uint8Array | Promise<Uint8Array>;

export type PeerEvent = { type: 'peer.connected'; peer: string } | { type: 'peer.disconnected'; peer: string };

export interface RequestOptions {
  timeoutMs?: number;
}

export interface Transport {
  /** This peer's id. */
  readonly self: string;
  /** Addresses others can reach this peer at (multiaddr strings for libp2p). */
  addresses(): string[];
  connectedPeers(): string[];
  /** The newest measured round trip to `peer` in ms (libp2p's connection monitor pings), if any. */
  roundTripMs(peer: string): number | undefined;
  publish(topic: string, data: Uint8Array): Promise<void>;
  subscribe(topic: string, handler: (message: TopicMessage) => void): Unsubscribe;
  handle(protocol: string, handler: RequestHandler): void;
  /** Send one frame on `protocol` and wait for the reply frame. Rejects with a TransportError. */
  request(peer: string, protocol: string, data: Uint8Array, options?: RequestOptions): Promise<Uint8Array>;
  /** Make sure a connection to `peer` exists (or will), given addresses learnt from gossip. */
  connect(peer: string, addresses: readonly string[]): void;
  onPeerEvent(listener: (event: PeerEvent) => void): Unsubscribe;
  stop(): Promise<void>;
}

/** Largest frame either transport carries, in bytes. */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;
export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
