// The composition root: the only module that knows every actor, the transport and the status port.
import { resolve } from 'node:path';
import { ActorSystem } from './actor/system.js';
import { ask } from './actor/ask.js';
import type { Config } from './config/schema.js';
import { Router } from './http/router.js';
import { startStatusServer, type StatusServer } from './http/server.js';
import { clusterRoutes, toNodeView, type NodeView } from './http/routes/cluster.js';
import { Libp2pTransport } from './transport/libp2p/transport.js';
import type { Transport } from './transport/transport.js';
import { systemClock, type Clock } from './util/clock.js';
import type { Logger } from './util/log.js';
import { VERSION } from './version.js';
import { discovery } from '../actors/discovery/discovery.js';
import { timingFor } from '../actors/discovery/membership.js';
import type { DiscoveryMessage, Member, MemberInfo } from '../actors/discovery/messages.js';
import type { Actor } from './actor/actor.js';

export interface Peer {
  readonly id: string;
  readonly httpUrl: string;
  readonly transport: Transport;
  addresses(): string[];
  members(): Promise<Member[]>;
  stop(): Promise<void>;
}

export interface PeerDeps {
  log: Logger;
  clock?: Clock;
}

const ROLES = ['discovery'];

export async function startPeer(config: Config, deps: PeerDeps): Promise<Peer> {
  const { log } = deps;
  const clock = deps.clock ?? systemClock;
  const startedAt = clock.now();
  const router = new Router();
  const http: StatusServer = await startStatusServer(router, config.orchestrator.host, config.orchestrator.port, log.child('http'));
  let transport: Libp2pTransport;
  try {
    transport = await Libp2pTransport.start({
      dataDir: resolve(config.node.data_dir),
      host: config.p2p.host,
      port: config.p2p.port,
      mdns: config.discovery.mdns,
      bootstrap: config.p2p.bootstrap,
      log: log.child('transport'),
    });
  } catch (error) {
    await http.close();
    throw error;
  }

  const system = new ActorSystem({
    clock,
    log,
    onEscalate: (e) => log.error('role failed for good', { role: e.role, restarts: e.restarts, error: e.error }),
  });
  const heartbeatMs = config.communication.heartbeat_interval * 1_000;
  const self: MemberInfo = {
    node_id: transport.self,
    http_url: http.url,
    addresses: transport.addresses(),
    roles: ROLES,
    capabilities: config.node.capabilities,
    location: config.node.location,
    version: VERSION,
    started_at: startedAt,
  };
  const discoveryActor: Actor<DiscoveryMessage, unknown> = await system.spawn(
    discovery({
      transport,
      self,
      heartbeatMs,
      timing: timingFor(heartbeatMs, {
        ...(config.discovery.suspect_timeout ? { suspectAfterMs: config.discovery.suspect_timeout * 1_000 } : {}),
        ...(config.discovery.dead_timeout ? { deadAfterMs: config.discovery.dead_timeout * 1_000 } : {}),
        disconnectGraceMs: config.discovery.disconnect_grace * 1_000,
        cleanupAfterMs: config.discovery.service_timeout * 1_000,
      }),
    }),
  );

  const members = () => ask<DiscoveryMessage, Member[]>(discoveryActor, (reply) => ({ type: 'members.get', reply }));
  clusterRoutes(router, {
    nodeId: transport.self,
    version: VERSION,
    startedAt,
    coordinator: () => null,
    async nodes(): Promise<NodeView[]> {
      const now = clock.now();
      const me = toNodeView({ ...self, addresses: transport.addresses(), status: 'alive', last_seen: now, status_since: startedAt }, true);
      return [me, ...(await members()).map((m) => toNodeView(m, false))];
    },
  });

  let stopping: Promise<void> | undefined;
  return {
    id: transport.self,
    httpUrl: http.url,
    transport,
    addresses: () => transport.addresses(),
    members,
    stop: () =>
      (stopping ??= (async () => {
        // Say goodbye first so the others drop us at once, then close everything.
        await ask<DiscoveryMessage, void>(discoveryActor, (reply) => ({ type: 'leave', reply: () => reply() }), 500).catch(() => undefined);
        await http.close();
        await system.stop();
        await transport.stop();
      })()),
  };
}
