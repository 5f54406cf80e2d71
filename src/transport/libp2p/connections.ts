// Keeps exactly one connection per pair of peers, and keeps dialling the bootstrap list.
// Policy: the smaller peer id dials at once, the larger only if still unconnected a moment later;
// should both dial anyway, both sides close the connection the larger id opened.
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { peerIdFromString } from '@libp2p/peer-id';
import type { Connection, PeerId } from '@libp2p/interface';
import type { Logger } from '../../util/log.js';
import type { PeerNode } from './node.js';

const LATE_DIAL_MS = 1_000;
const BOOTSTRAP_REDIAL_MS = 1_000;
const DIAL_TIMEOUT_MS = 3_000;

export class ConnectionKeeper {
  readonly #node: PeerNode;
  readonly #log: Logger;
  readonly #self: string;
  readonly #bootstrap: Multiaddr[];
  /** Bootstrap address → the peer id it turned out to be (or 'self'). */
  readonly #bootstrapIds = new Map<string, string>();
  readonly #lateDials = new Map<string, NodeJS.Timeout>();
  #bootstrapTimer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(node: PeerNode, bootstrap: readonly string[], log: Logger) {
    this.#node = node;
    this.#log = log;
    this.#self = node.peerId.toString();
    this.#bootstrap = bootstrap.map((a) => multiaddr(a));
    for (const addr of this.#bootstrap) {
      const id = addr.getComponents().find((c) => c.name === 'p2p')?.value;
      if (id) this.#bootstrapIds.set(addr.toString(), id);
    }
  }

  start(): void {
    this.#node.addEventListener('peer:discovery', (event) => this.ensure(event.detail.id, event.detail.multiaddrs));
    this.#node.addEventListener('connection:open', (event) => this.#dedupe(event.detail));
    void this.#dialBootstrap();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#bootstrapTimer);
    for (const t of this.#lateDials.values()) clearTimeout(t);
    this.#lateDials.clear();
  }

  /** Make sure we are, or will be, connected to `peer`. */
  ensure(peer: PeerId | string, addresses: readonly (Multiaddr | string)[] = []): void {
    const id = typeof peer === 'string' ? peerIdFromString(peer) : peer;
    const key = id.toString();
    if (this.#stopped || key === this.#self || this.#connected(key)) return;
    const addrs = addresses.map((a) => (typeof a === 'string' ? multiaddr(a) : a));
    const dial = () => {
      this.#lateDials.delete(key);
      if (this.#stopped || this.#connected(key)) return;
      const target = addrs.length > 0 ? addrs : id;
      this.#node.dial(target, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) }).catch((error: unknown) => {
        this.#log.debug('dial failed', { peer: key, error });
      });
    };
    if (this.#self < key) dial();
    else if (!this.#lateDials.has(key)) this.#lateDials.set(key, setTimeout(dial, LATE_DIAL_MS).unref());
  }

  #connected(peer: string): boolean {
    return this.#node.getConnections().some((c) => c.remotePeer.toString() === peer && c.status === 'open');
  }

  #dedupe(opened: Connection): void {
    const peer = opened.remotePeer.toString();
    const open = this.#node.getConnections(opened.remotePeer).filter((c) => c.status === 'open');
    if (open.length < 2) return;
    // Keep the connections dialled by the smaller id; close the others (both sides agree).
    const keepDirection = this.#self < peer ? 'outbound' : 'inbound';
    const keep = open.find((c) => c.direction === keepDirection) ?? open[0]!;
    for (const c of open) {
      if (c !== keep) void c.close().catch(() => c.abort(new Error('duplicate connection')));
    }
  }

  /** Learn which connected peer listens at an id-less bootstrap address, from what identify told us. */
  async #identifyBootstrapPeers(): Promise<void> {
    const unknown = this.#bootstrap.map((a) => a.toString()).filter((a) => !this.#bootstrapIds.has(a));
    if (unknown.length === 0) return;
    for (const connection of this.#node.getConnections()) {
      const peer = await this.#node.peerStore.get(connection.remotePeer).catch(() => undefined);
      for (const { multiaddr: listen } of peer?.addresses ?? []) {
        const bare = listen.decapsulateCode(421).toString();
        if (unknown.includes(bare)) this.#bootstrapIds.set(bare, connection.remotePeer.toString());
      }
    }
  }

  async #dialBootstrap(): Promise<void> {
    if (this.#stopped) return;
    // Most seconds every seed is connected: look no further (our own addresses cost a peer-store and
    // interface walk, which an idle peer paid every second).
    const unconnected = this.#bootstrap.filter((addr) => {
      const knownId = this.#bootstrapIds.get(addr.toString());
      return knownId !== 'self' && knownId !== this.#self && !(knownId && this.#connected(knownId));
    });
    if (unconnected.length > 0) {
      await this.#identifyBootstrapPeers();
      const own = new Set(this.#node.getMultiaddrs().map((a) => a.decapsulateCode(421).toString()));
      await Promise.all(
        unconnected.map(async (addr) => {
          const key = addr.toString();
          const knownId = this.#bootstrapIds.get(key);
          if (knownId === 'self' || own.has(addr.decapsulateCode(421).toString())) return;
          if (knownId && this.#connected(knownId)) return;
          try {
            const connection = await this.#node.dial(addr, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) });
            this.#bootstrapIds.set(key, connection.remotePeer.toString());
          } catch (error) {
            if (/self/i.test(String((error as Error).message))) this.#bootstrapIds.set(key, 'self');
            this.#log.debug('bootstrap dial failed', { addr: key, error });
          }
        }),
      );
    }
    if (!this.#stopped) this.#bootstrapTimer = setTimeout(() => void this.#dialBootstrap(), BOOTSTRAP_REDIAL_MS).unref();
  }
}
