// The status port while a peer starts (its modules load, its store opens, libp2p starts, its roles spawn):
// GET /api/health answers at once and says so (`status: "starting"`), every other route answers 503
// PEER_STARTING, until the peer's own router takes over (StatusServer.route) and health says "ok".
import type { Config } from '../config/schema.js';
import { accessControl, type AccessOptions } from '../security/access.js';
import type { Logger } from '../util/log.js';
import { VERSION } from '../version.js';
import { Router } from './router.js';
import { startStatusServer, type StatusServer } from './server.js';

/** Who may use the status port, from the configuration: the same while starting and after. */
export function accessOptions(config: Config): AccessOptions {
  return { ...(config.security.api_token !== undefined ? { token: config.security.api_token } : {}), statusHost: config.orchestrator.host };
}

export function startingRouter(access: AccessOptions, startedAt: number): Router {
  const router = new Router().use(accessControl(access));
  router.use((head) =>
    head.path === '/api/health'
      ? undefined
      : { status: 503, json: { error: { code: 'PEER_STARTING', message: 'the peer is starting: try again in a moment', details: null } }, headers: { 'retry-after': '1' } },
  );
  router.on('GET', '/api/health', () => ({
    json: { status: 'starting', node_id: null, version: VERSION, uptime_s: Math.round((Date.now() - startedAt) / 100) / 10, coordinator: null, term: null, members: 0 },
  }));
  return router;
}

/** Listens on the configured status port with the starting router; the peer routes it to its own once up. */
export function openStatusPort(config: Config, log: Logger, startedAt = Date.now()): Promise<StatusServer> {
  return startStatusServer(startingRouter(accessOptions(config), startedAt), config.orchestrator.host, config.orchestrator.port, log.child('http'));
}
