// The libp2p 3 node: TCP + noise + yamux, identify, ping, gossipsub, optional mDNS and bootstrap.
import { createLibp2p, type Libp2p } from 'libp2p';
import { tcp } from '@libp2p/tcp';
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
}

export type PeerNode = Libp2p<{ pubsub: GossipSub; identify: unknown; ping: unknown }>;

export async function createNode(options: NodeOptions): Promise<PeerNode> {
  // Each discovery factory wants its own slice of libp2p's components; the array type is their union.
  const peerDiscovery: ((components: any) => PeerDiscovery)[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (options.mdns) peerDiscovery.push(mdns({ serviceTag: options.mdnsServiceTag, interval: options.mdnsIntervalMs }));
  if (options.bootstrapWithIds.length > 0) peerDiscovery.push(bootstrap({ list: options.bootstrapWithIds, timeout: 200 }));
  const ip = options.host.includes(':') ? 'ip6' : 'ip4';
  return createLibp2p({
    privateKey: options.privateKey,
    addresses: { listen: [`/${ip}/${options.host}/tcp/${options.port}`] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    ...(options.psk ? { connectionProtector: preSharedKey({ psk: options.psk }) } : {}),
    streamMuxers: [yamux()],
    peerDiscovery,
    connectionManager: {
      // Every local peer shares 127.0.0.1: the default of 5 new connections a second per IP resets them.
      inboundConnectionThreshold: 1_000,
      maxConnections: 1_000,
    },
    // A slow ping on a busy peer must not close the connection (that caused reconnect storms with 10
    // peers on 2 cores): membership heartbeats find hung peers, and a killed peer's connection drops at once.
    connectionMonitor: { pingInterval: 2_000, pingTimeout: { minTimeout: 1_000, maxTimeout: 1_500 }, abortConnectionOnPingFailure: false },
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, emitSelf: false, fallbackToFloodsub: false }),
    },
  }) as unknown as Promise<PeerNode>;
}
