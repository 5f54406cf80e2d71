// A libp2p client with a fresh identity that never joins (no heartbeats): what a hostile tester points at a
// peer's p2p port to send it raw frames.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFrame } from '../../src/protocol/frame.js';
import { Libp2pTransport } from '../../src/transport/libp2p/transport.js';
import { silentLogger } from '../../src/util/log.js';
import { waitFor } from '../../scripts/lib/peer-process.js';
import { HUB_PROTOCOL } from '../../actors/messaging-hub/messages.js';

export interface Outsider {
  transport: Libp2pTransport;
  /** Sends raw bytes on `protocol` and returns the reply parsed as JSON (or the transport's error code). */
  raw(peer: string, protocol: string, bytes: Uint8Array): Promise<{ reply?: Record<string, unknown>; transportError?: string }>;
  /** A hub message of `kind` with `payload`, as the messaging hub would send it. */
  hub(peer: string, kind: string, payload: unknown): Promise<{ reply?: Record<string, unknown>; transportError?: string }>;
  close(): Promise<void>;
}

let ids = 0;

export async function startOutsider(bootstrap: string[], psk?: Uint8Array): Promise<Outsider> {
  const dir = await mkdtemp(join(tmpdir(), 'mcpdt-outsider-'));
  const transport = await Libp2pTransport.start({ dataDir: dir, host: '127.0.0.1', port: 0, mdns: false, bootstrap, log: silentLogger, ...(psk ? { psk } : {}) });
  const raw: Outsider['raw'] = async (peer, protocol, bytes) => {
    try {
      const reply = await transport.request(peer, protocol, bytes, { timeoutMs: 5_000 });
      return { reply: JSON.parse(new TextDecoder().decode(reply)) as Record<string, unknown> };
    } catch (error) {
      return { transportError: (error as { code?: string }).code ?? String(error) };
    }
  };
  return {
    transport,
    raw,
    hub: (peer, kind, payload) => raw(peer, HUB_PROTOCOL, encodeFrame({ type: 'hub.message', id: `outsider-${++ids}`, kind, mode: 'reliable', payload, attempt: 1 })),
    async close() {
      await transport.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function connected(outsider: Outsider, peer: string): Promise<true> {
  return waitFor(() => outsider.transport.connectedPeers().includes(peer) || undefined, 10_000, 'the outsider to connect');
}
