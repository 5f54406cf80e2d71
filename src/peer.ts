// The composition root: the only module that knows every actor, the transport and the status port.
import { resolve } from 'node:path';
import { ActorSystem } from './actor/system.js';
import { ask } from './actor/ask.js';
import type { Actor } from './actor/actor.js';
import type { Config } from './config/schema.js';
import { PermanentError, errorMessage, type ValidationError } from './errors.js';
import { Router } from './http/router.js';
import { startStatusServer, type StatusServer } from './http/server.js';
import { clusterRoutes, toNodeView, type NodeView } from './http/routes/cluster.js';
import { loadRoutes } from './http/routes/load.js';
import { executionRoutes } from './http/routes/executions.js';
import { openApiRoutes } from './http/routes/openapi.js';
import { hubMessenger } from './hub-messenger.js';
import { validatePlan, type Plan } from './plan/index.js';
import { peerMessenger } from './protocol/peer-messenger.js';
import type { Member, MemberInfo } from './protocol/membership.js';
import type { ExecutionDoc } from './execution/contract.js';
import { officeClient } from './execution/office.js';
import { Store } from './store/store.js';
import { loadElectionState, saveElectionState } from './store/election-state.js';
import { Libp2pTransport } from './transport/libp2p/transport.js';
import type { Transport } from './transport/transport.js';
import { systemClock, type Clock } from './util/clock.js';
import type { Logger } from './util/log.js';
import { VERSION } from './version.js';
import { discovery } from '../actors/discovery/discovery.js';
import { timingFor } from '../actors/discovery/membership.js';
import type { DiscoveryMessage } from '../actors/discovery/messages.js';
import { coordinator } from '../actors/coordinator/coordinator.js';
import { DEFAULT_ELECTION_TIMING } from '../actors/coordinator/election.js';
import type { CoordinatorMessage, CoordinatorStatus, Outcome } from '../actors/coordinator/messages.js';
import { loadGenerator } from '../actors/load-generator/actor.js';
import { assignments } from '../actors/load-generator/assignments.js';
import type { LoadGeneratorMessage } from '../actors/load-generator/messages.js';
import { messagingHub } from '../actors/messaging-hub/hub.js';
import type { HubMessage } from '../actors/messaging-hub/messages.js';
import type { ReplicationMessage } from '../actors/coordinator/replication/messages.js';
import { replicationPort } from '../actors/coordinator/replication/port.js';
import { replicator } from '../actors/coordinator/replication/replicator.js';
import { ResultsCache } from '../actors/coordinator/replication/results-cache.js';
import { eligibleGenerators, splitEqually } from '../actors/test-distributor/split.js';

export interface Peer {
  readonly id: string;
  readonly httpUrl: string;
  readonly transport: Transport;
  readonly store: Store;
  addresses(): string[];
  members(): Promise<Member[]>;
  coordinatorStatus(): Promise<CoordinatorStatus>;
  stop(): Promise<void>;
}

export interface PeerDeps {
  log: Logger;
  clock?: Clock;
}

const ROLES = ['discovery', 'messaging-hub', 'load-generator', 'coordinator', 'test-distributor'];
/** A generator that knows of no coordinator for this long stops its load (a failover takes about 1.5 s). */
const ORPHAN_TIMEOUT_MS = 5_000;

async function unwrap<T>(outcome: Promise<Outcome<T>>): Promise<T> {
  const result = await outcome;
  if (!result.ok) throw result.error;
  return result.value;
}

export async function startPeer(config: Config, deps: PeerDeps): Promise<Peer> {
  const { log } = deps;
  const clock = deps.clock ?? systemClock;
  const startedAt = clock.now();
  const router = new Router();
  const dataDir = resolve(config.node.data_dir);
  const store = Store.open(dataDir, { onDamaged: (execution, error) => log.warn('damaged execution skipped', { execution, error }) });
  try {
    loadElectionState(store); // a damaged vote stops the start here, with the file named
  } catch (error) {
    store.close();
    throw error;
  }
  let http: StatusServer;
  let transport: Libp2pTransport;
  try {
    http = await startStatusServer(router, config.orchestrator.host, config.orchestrator.port, log.child('http'));
    try {
      transport = await Libp2pTransport.start({
        dataDir,
        host: config.p2p.host,
        port: config.p2p.port,
        mdns: config.discovery.mdns,
        mdnsIntervalMs: config.discovery.broadcast_interval * 1_000,
        bootstrap: config.p2p.bootstrap,
        log: log.child('transport'),
      });
    } catch (error) {
      await http.close();
      throw error;
    }
  } catch (error) {
    store.close();
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

  // Messaging hub: direct messages with delivery modes, typed by kind (src/protocol/peer-protocol.ts).
  const hub: Actor<HubMessage, unknown> = await system.spawn(messagingHub({ transport, messageTimeoutMs: config.communication.message_timeout * 1_000 }));
  const messenger = peerMessenger(hubMessenger(hub, transport.self));

  // Replicas of executions and their merged results, on every peer.
  const results = new ResultsCache(store);
  const replicationActor: Actor<ReplicationMessage, unknown> = await system.spawn(replicator({ messenger, store, results }));
  const replication = replicationPort(replicationActor);

  // Load generation, local and assigned.
  const generatorActor: Actor<LoadGeneratorMessage, unknown> = await system.spawn(loadGenerator());
  loadRoutes(router, generatorActor, transport.self);
  openApiRoutes(router);

  // Election and executions.
  const coordinatorActor: Actor<CoordinatorMessage, unknown> = await system.spawn(
    coordinator({
      transport,
      timing: DEFAULT_ELECTION_TIMING,
      formationMs: Math.max(2_000, 3 * heartbeatMs),
      capabilities: config.node.capabilities,
      durable: {
        load: () => loadElectionState(store),
        save: (state) => saveElectionState(store, state),
      },
      eligible: (members) => eligibleGenerators(members),
      executions: { store, messenger, replication, results, split: splitEqually },
    }),
  );
  const coordinatorStatus = () => ask<CoordinatorMessage, CoordinatorStatus>(coordinatorActor, (reply) => ({ type: 'status.get', reply }));
  const currentCoordinator = async () => {
    const status = await coordinatorStatus();
    return status.coordinator ? { node_id: status.coordinator, term: status.term } : null;
  };
  messenger.on('execution.submit', async ({ execution_id, plan }) => {
    let valid: Plan;
    try {
      valid = validatePlan(plan);
    } catch (error) {
      // No retry can fix a plan.
      throw new PermanentError('PERMANENT_PLAN_INVALID', errorMessage(error), { details: (error as ValidationError).problems });
    }
    const doc = await unwrap(
      ask<CoordinatorMessage, Outcome<ExecutionDoc | undefined>>(coordinatorActor, (reply) => ({ type: 'execution.submit', executionId: execution_id, plan: valid, source: plan, reply })),
    );
    return { doc: doc ?? null };
  });
  messenger.on('execution.cancel', async ({ execution_id }) => {
    const status = await unwrap(ask<CoordinatorMessage, Outcome<string>>(coordinatorActor, (reply) => ({ type: 'execution.cancel', executionId: execution_id, reply })));
    return { status: status as ExecutionDoc['status'] };
  });
  messenger.on('results.delta', (d, from) =>
    unwrap(
      ask<CoordinatorMessage, Outcome<{ status: ExecutionDoc['status'] | 'unknown' }>>(coordinatorActor, (reply) => ({
        type: 'execution.delta',
        executionId: d.execution_id,
        from,
        task: d.task,
        delta: d.delta,
        reply,
      })),
    ),
  );
  const toCoordinator = officeClient({ messenger, clock, coordinator: currentCoordinator });
  executionRoutes(router, {
    store,
    reads: results,
    submit: async (executionId, plan) => (await toCoordinator('execution.submit', { execution_id: executionId, plan })).doc ?? undefined,
    cancel: async (executionId) => (await toCoordinator('execution.cancel', { execution_id: executionId })).status,
  });

  await system.spawn(
    assignments({ self: transport.self, messenger, generator: generatorActor, coordinator: currentCoordinator, orphanTimeoutMs: ORPHAN_TIMEOUT_MS }),
  );

  // Membership last: its changes feed the coordinator's electorate and generator list.
  const discoveryActor: Actor<DiscoveryMessage, unknown> = await system.spawn(
    discovery({
      onChange: (_change, members) => {
        coordinatorActor.tell({ type: 'members', members });
        replicationActor.tell({ type: 'members', peers: members.filter((m) => m.status === 'alive').map((m) => m.node_id) });
      },
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
  // A peer alone hears no change: it starts with the empty membership, so it can run executions by itself.
  coordinatorActor.tell({ type: 'members', members: await members() });

  clusterRoutes(router, {
    nodeId: transport.self,
    version: VERSION,
    startedAt,
    coordinator: currentCoordinator,
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
    store,
    addresses: () => transport.addresses(),
    members,
    coordinatorStatus,
    stop: () =>
      (stopping ??= (async () => {
        // Say goodbye first so the others drop us at once, then close everything.
        await ask<DiscoveryMessage, void>(discoveryActor, (reply) => ({ type: 'leave', reply: () => reply() }), 500).catch(() => undefined);
        await http.close();
        await system.stop();
        await transport.stop();
        store.close();
      })()),
  };
}
