// libp2p's TCP transport, writing what one turn of the event loop sends in one system call.
//
// Its connection writes every buffer it is handed with its own socket.write, and the layers above hand
// over several per frame: noise gives a 2-byte length and the ciphertext, yamux a header-only frame for
// window updates and stream opens. An idle peer (heartbeats, gossip) made about four write(2) calls per
// frame, a quarter of them 2 bytes long, and the writes were the largest single item of its CPU profile
// (scripts/bench/idle.ts --profile). Corked until the end of the turn, Node hands the socket everything
// at once (one writev); nothing waits longer than the current turn.
import { Socket } from 'node:net';
import type { MultiaddrConnection, Transport, Upgrader } from '@libp2p/interface';
import { tcp, type TCPComponents, type TCPOptions } from '@libp2p/tcp';

function uncork(socket: Socket): void {
  socket.uncork();
}

/** Cork the connection's socket on its first write of a turn, uncork it when the turn ends. */
export function corkWrites(maConn: MultiaddrConnection): MultiaddrConnection {
  const socket = (maConn as unknown as { socket?: unknown }).socket;
  const conn = maConn as unknown as { sendData?: (data: Iterable<Uint8Array>) => unknown };
  // Only the TCP connection this wraps is known to write through `socket`: anything else is left alone.
  if (!(socket instanceof Socket) || typeof conn.sendData !== 'function') return maConn;
  const send = conn.sendData.bind(maConn);
  let corked = false;
  conn.sendData = (data) => {
    if (!corked && !socket.destroyed) {
      corked = true;
      socket.cork();
      process.nextTick(() => {
        corked = false;
        uncork(socket);
      });
    }
    return send(data);
  };
  return maConn;
}

function corkingUpgrader(upgrader: Upgrader): Upgrader {
  return new Proxy(upgrader, {
    get(target, key, receiver) {
      if (key === 'upgradeInbound') return (maConn: MultiaddrConnection, opts: unknown) => target.upgradeInbound(corkWrites(maConn), opts as never);
      if (key === 'upgradeOutbound') return (maConn: MultiaddrConnection, opts: unknown) => target.upgradeOutbound(corkWrites(maConn), opts as never);
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** `tcp(init)` whose connections cork their writes for a turn of the event loop. */
export function corkedTcp(init?: TCPOptions): (components: TCPComponents) => Transport {
  const make = tcp(init);
  return (components) => {
    const inner = make(components);
    return new Proxy(inner, {
      get(target, key, receiver) {
        if (key === 'dial') return (ma: unknown, options: { upgrader: Upgrader }) => target.dial(ma as never, { ...options, upgrader: corkingUpgrader(options.upgrader) } as never);
        if (key === 'createListener') return (options: { upgrader: Upgrader }) => target.createListener({ ...options, upgrader: corkingUpgrader(options.upgrader) } as never);
        const value: unknown = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
}
