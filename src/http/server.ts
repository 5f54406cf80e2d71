// The status port: one node:http server dispatching to a router (a starting peer's, then its own).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../util/log.js';
import type { Router } from './router.js';

export interface StatusServer {
  readonly url: string;
  readonly port: number;
  /** Requests from now on go to `router`. */
  route(router: Router): void;
  close(): Promise<void>;
}

export async function startStatusServer(router: Router, host: string, port: number, log: Logger): Promise<StatusServer> {
  let current = router;
  const server: Server = createServer((req, res) => {
    current.dispatch(req, res).catch((error: unknown) => {
      log.error('http handler failed', { error });
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost === '0.0.0.0' ? '127.0.0.1' : shownHost}:${address.port}`,
    port: address.port,
    route(next) {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
