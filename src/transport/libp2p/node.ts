// The libp2p 3 node: TCP + noise + yamux, identify, ping, gossipsub, optional mDNS and bootstrap.
import { createLibp2p, type Libp2p } from 'libp2p';
import { corkedTcp } from './corked-tcp.js';
import { lazyWindowUpdates } from './lazy-window-updates.js';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import { ping } from '@libp2p/ping';
import { mdns } from '@libp2p/mdns';
import { bootstrap } from '@libp2p/bootstrap';
import { gossipsub, type GossipSub } from '@libp2p/gossipsub';
import { preSharedKey } from '@libp2p/pnet';
import type { PeerDiscovery, PrivateKey } from '@libp2p/interface';

export interface NodeOptions {
  privateKey: PrivateKey;
  host: string;
  port: number;
  mdns: boolean;
  /** Bootstrap multiaddrs that carry a `/p2p/<id>`; id-less ones are dialled by the transport itself. */
  bootstrapWithIds: string[];
  mdnsServiceTag: string;
  /** Milliseconds between mDNS queries. */
  mdnsIntervalMs: number;
  /** Private-network key (swarm.key bytes): peers without it cannot connect. */
  psk?: Uint8Array;
  /** Milliseconds between pings of each connection, for its round trip. */
  pingIntervalMs: number;
}

export type PeerNode = Libp2p<{ pubsub: GossipSub; identify: unknown; ping: unknown }>;

/**
 * A gossip message's identity before its signature is checked: its author and sequence number, which is
 * what the message id is under StrictSign. Without it gossipsub verifies the Ed25519 signature of every
 * copy before it finds the copy a duplicate (each message reaches a peer once per mesh neighbour); with
 * it, a copy already seen is dropped unverified. Only valid messages enter that cache, so a forged copy
 * cannot shadow the real one.
 */
export function authorAndSeqno(msg: { from?: Uint8Array; seqno?: Uint8Array }): string {
  if (!msg.from || !msg.seqno) return '';
  return `${Buffer.from(msg.from.buffer, msg.from.byteOffset, msg.from.byteLength).toString('base64')}/${Buffer.from(msg.seqno.buffer, msg.seqno.byteOffset, msg.seqno.byteLength).toString('hex')}`;
}

/**
 * A message id as the string gossipsub keys its caches with (any encoding will do, the same throughout).
 * Its own builds base64 a character at a time: with IHAVE gossip naming every recent message to a few
 * peers each second, that was a fifth of what an idle peer allocated.
 */
export function messageIdString(id: Uint8Array): string {
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('base64');
}

/**
 * No mesh (gossipsub's default is D 6, 4..12): every peer here keeps a connection to every member
 * (discovery dials each one it hears of) and publishes its own messages to all of them (flood
 * publishing), so forwarding through a mesh only adds copies: each one read, decrypted and dropped as
 * a duplicate, 1 + D per message at each peer. Without it a peer receives each message once, from its
 * author, which is also what the in-memory transport does. A peer not (yet) connected to the author
 * still gets the message through gossip: each heartbeat a peer tells Dlazy others which recent messages
 * it has (IHAVE) and they ask for those they lack (IWANT). (With D 3 an idle peer among 10 made twice
 * the system calls; scripts/bench/idle.ts.) One a heartbeat, whatever the number of peers (gossipFactor
 * 0; its default, a quarter of them, and Dlazy 3 made IHAVE a tenth of an idle peer's messages): every
 * member connects to every other, so gossip only covers the moments before a newcomer has. IDONTWANT
 * notices (gossipsub 1.2) only matter with a mesh: kept for messages large enough that a saved copy is worth one.
 */
export const MESH = { D: 0, Dlo: 0, Dhi: 0, Dout: 0, Dscore: 0, Dlazy: 1, gossipFactor: 0, idontwantMinDataSize: 64 * 1024 } as const;

export async function createNode(options: NodeOptions): Promise<PeerNode> {
  lazyWindowUpdates();
  // Each discovery factory wants its own slice of libp2p's components; the array type is their union.
  const peerDiscovery: ((components: any) => PeerDiscovery)[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (options.mdns) peerDiscovery.push(mdns({ serviceTag: options.mdnsServiceTag, interval: options.mdnsIntervalMs }));
  if (options.bootstrapWithIds.length > 0) peerDiscovery.push(bootstrap({ list: options.bootstrapWithIds, timeout: 200 }));
  const ip = options.host.includes(':') ? 'ip6' : 'ip4';
  return createLibp2p({
    privateKey: options.privateKey,
    addresses: { listen: [`/${ip}/${options.host}/tcp/${options.port}`] },
    transports: [corkedTcp()],
    connectionEncrypters: [noise()],
    ...(options.psk ? { connectionProtector: preSharedKey({ psk: options.psk }) } : {}),
    streamMuxers: [yamux()],
    peerDiscovery,
    connectionManager: {
      // Every local peer shares 127.0.0.1: the default of 5 new connections a second per IP resets them.
      inboundConnectionThreshold: 1_000,
      maxConnections: 1_000,
    },
    // Pings measure each connection's round trip (GET /api/nodes shows it as rtt_ms), slowly: once every
    // 30 s per connection is about 0.3 new streams a second for a peer among 10, where every 2 s cost an
    // idle peer a stream negotiation and a peer-store write per member several times a second. A ping
    // never closes a connection: on a busy peer a slow answer caused reconnect storms with 10 peers on 2
    // cores. Membership heartbeats find hung peers, and a killed peer's connection drops at once.
    connectionMonitor: { pingInterval: options.pingIntervalMs, pingTimeout: { minTimeout: 2_000, maxTimeout: 5_000 }, abortConnectionOnPingFailure: false },
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, emitSelf: false, fallbackToFloodsub: false, fastMsgIdFn: authorAndSeqno, msgIdToStrFn: messageIdString, ...MESH }),
    },
  }) as unknown as Promise<PeerNode>;
}
