// The composition root: the only module that knows every actor, the transport and the status port.
import { ActorSystem } from './actor/system.js';
import { ask } from './actor/ask.js';
import type { Actor } from './actor/actor.js';
import type { Config } from './config/schema.js';
import { PermanentError } from './errors.js';
import { Router } from './http/router.js';
import type { StatusServer } from './http/server.js';
import { accessOptions, openStatusPort } from './http/starting.js';
import { clusterRoutes, toNodeView, type ClusterSource, type NodeView } from './http/routes/cluster.js';
import { loadRoutes } from './http/routes/load.js';
import { probePorts } from './guardrails/probe-ports.js';
import { localLoadPort } from './peer-wiring/local-load.js';
import { executionRoutes, type ExecutionsSource } from './http/routes/executions.js';
import { openApiRoutes } from './http/routes/openapi.js';
import { observeRoutes } from './http/observe.js';
import { fromHealthSample } from './metrics/sources.js';
import { localClusterClient, mcpSurface, mountMcp, type ClusterClient, type Planner } from './mcp/index.js';
import { hubMessenger } from './hub-messenger.js';
import { peerMessenger } from './protocol/peer-messenger.js';
import type { Member, MemberInfo } from './protocol/membership.js';
import { officeClient } from './execution/office.js';
import { Store } from './store/store.js';
import { startRetention } from './store/retention.js';
import { loadElectionState, saveElectionState } from './store/election-state.js';
import type { Transport } from './transport/transport.js';
import { systemClock, type Clock } from './util/clock.js';
import type { Logger } from './util/log.js';
import { trimHeapWhenIdle } from './util/heap-trim.js';
import { VERSION } from './version.js';
import { peerGuard, tcpPorts } from './guardrails/index.js';
import { accessControl } from './security/access.js';
import { redactingMessenger } from './security/redacting-messenger.js';
import { memberGatedTransport } from './security/member-gate.js';
import { roleGatedMessenger, termAt } from './security/role-gate.js';
import { resolvePlanSecrets } from './security/secrets.js';
import { PEER_PROTOCOL } from './protocol/peer-protocol.js';
import { discovery } from '../actors/discovery/discovery.js';
import { REST_HEARTBEAT_FACTOR, timingFor } from '../actors/discovery/membership.js';
import type { DiscoveryMessage } from '../actors/discovery/messages.js';
import { coordinator } from '../actors/coordinator/coordinator.js';
import { DEFAULT_ELECTION_TIMING } from '../actors/coordinator/election.js';
import { START_DELAY_AT_REST_MS } from '../actors/coordinator/executions/model.js';
import type { CoordinatorMessage, CoordinatorStatus } from '../actors/coordinator/messages.js';
import { loadGenerator } from '../actors/load-generator/actor.js';
import { assignments } from '../actors/load-generator/assignments.js';
import type { LoadGeneratorMessage } from '../actors/load-generator/messages.js';
import { messagingHub } from '../actors/messaging-hub/hub.js';
import type { HealthSource } from './health.js';
import type { ResourcePoolMessage } from '../actors/resource-pool/messages.js';
import { wireResourcePool } from './peer-wiring/resource-pool.js';
import { wireNodeMonitor } from './peer-wiring/node-monitor.js';
import type { HealthCheck } from '../actors/node-monitor/checks.js';
import { serveExecutionRequests } from './peer-wiring/executions.js';
import { openStoreAndTransport } from './peer-wiring/store-and-transport.js';
import { poolReservations, placer, submitWorkload, type PlaceFn } from './peer-wiring/workloads.js';
import { isWorkload } from './plan/workload.js';
import { distributor, type DistributorMessage } from '../actors/test-distributor/distributor.js';
import { finishedExecutions } from '../actors/test-distributor/finished.js';
import type { History } from './distribution.js';
import { workloadRoutes } from './http/routes/workloads.js';
import type { HubMessage } from '../actors/messaging-hub/messages.js';
import type { ReplicationMessage } from '../actors/coordinator/replication/messages.js';
import { replicationPort } from '../actors/coordinator/replication/port.js';
import { replicator } from '../actors/coordinator/replication/replicator.js';
import { ResultsCache } from '../actors/coordinator/replication/results-cache.js';
import { eligibleGenerators, splitEqually } from '../actors/test-distributor/split.js';
import { profileFor } from './schedule/patterns.js';
import { usersOf } from '../actors/load-generator/segment.js';

/** The distributor's and the engine's rules, for the MCP surface's dry runs. */
export const planner: Planner = {
  generators: (nodes) => eligibleGenerators(nodes),
  split: splitEqually,
  arrivals: (task) => profileFor(task).total,
  users: (segment, users) => ((u) => u.end - u.first)(usersOf(segment, users)),
};

export interface Peer {
  readonly id: string;
  readonly httpUrl: string;
  readonly transport: Transport;
  readonly store: Store;
  /** Latest health sample per node, alerts, the cluster's aggregate (read-only). */
  readonly health: HealthSource;
  addresses(): string[];
  members(): Promise<Member[]>;
  coordinatorStatus(): Promise<CoordinatorStatus>;
  /** The cluster as the MCP surface sees it (for `node peer.js mcp`). */
  readonly mcpClient: ClusterClient;
  stop(): Promise<void>;
}

export interface PeerDeps {
  log: Logger;
  clock?: Clock;
  /** Health checks given in code (the library's `healthChecks`), run beside the configured ones. */
  checks?: HealthCheck[];
  /** The status port, already listening (openStatusPort); the peer closes it if it cannot start. */
  status?: StatusServer;
  /**
   * The process is the peer's own (`node peer.js`, `mcp`): its heap is shrunk when it creeps up at rest
   * (trimHeapWhenIdle). Not for a peer inside someone else's process (the library), whose heap is not its own.
   */
  ownsProcess?: boolean;
}

/** Direct messages only the coordinator in office may send, and where each carries its term. */
const COORDINATOR_COMMANDS = [
  { kind: PEER_PROTOCOL['task.assign'].wire, term: termAt('term') },
  { kind: PEER_PROTOCOL['task.resegment'].wire, term: termAt('term') },
  { kind: PEER_PROTOCOL['task.stop'].wire, term: termAt('term') },
  { kind: PEER_PROTOCOL['execution.replicate'].wire, term: termAt('doc', 'term') },
  { kind: PEER_PROTOCOL['execution.replicate-delta'].wire },
  { kind: PEER_PROTOCOL['resources.replicate'].wire, term: termAt('term') },
];

const ROLES = ['discovery', 'messaging-hub', 'load-generator', 'coordinator', 'test-distributor', 'node-monitor', 'resource-pool'];
/** A generator that knows of no coordinator for this long stops its load (a failover takes about 1.5 s). */
const ORPHAN_TIMEOUT_MS = 5_000;


export async function startPeer(config: Config, deps: PeerDeps): Promise<Peer> {
  const { log } = deps;
  const clock = deps.clock ?? systemClock;
  const startedAt = clock.now();
  // The status port answers from the first moment (src/http/starting.ts); its router takes over at the end.
  const http = deps.status ?? (await openStatusPort(config, log, startedAt));
  let opened: Awaited<ReturnType<typeof openStoreAndTransport>>;
  try {
    opened = await openStoreAndTransport(config, log);
  } catch (error) {
    await http.close();
    throw error;
  }
  const { lock, store, transport, dataDir } = opened;
  const router = new Router();
  router.use(accessControl(accessOptions(config)));

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

  const guard = peerGuard(config, {
    ownPorts: [http.port, ...tcpPorts(transport.addresses())],
    activeExecutions: () => store.listExecutions(['pending', 'running']).map((e) => e.execution_id),
    recorded: (executionId) => store.getExecution(executionId) !== undefined,
    permanent: (code, error) => new PermanentError(code, error.message, { details: error.details }),
  });
  if (guard.warning) log.warn(guard.warning);

  // Only members reach the hub and the election; only the coordinator in office may command (src/security).
  const memberIds = new Set<string>();
  const gated = memberGatedTransport(transport, (peer) => memberIds.has(peer), []);
  let office: () => Promise<{ node_id: string; term: number } | null> = async () => null;

  // Messaging hub: direct messages with delivery modes, typed by kind (src/protocol/peer-protocol.ts).
  const hub: Actor<HubMessage, unknown> = await system.spawn(messagingHub({ transport: gated, messageTimeoutMs: config.communication.message_timeout * 1_000 }));
  const rawMessenger = roleGatedMessenger(hubMessenger(hub, transport.self), { coordinator: () => office(), commands: COORDINATOR_COMMANDS });
  const messenger = peerMessenger(rawMessenger);
  // Replicas leave with their plans' secrets redacted; assignments (which generators need whole) do not.
  const replicatingMessenger = peerMessenger(redactingMessenger(rawMessenger, [PEER_PROTOCOL['execution.replicate'].wire]));

  // Replicas of executions and their merged results, on every peer.
  const retention = startRetention(store, config.store.retention, clock, log.child('store'));
  const results = new ResultsCache(store);
  const replicationActor: Actor<ReplicationMessage, unknown> = await system.spawn(replicator({ messenger: replicatingMessenger, store, results }));
  const replication = replicationPort(replicationActor);

  // Load generation, local and assigned.
  const generatorActor: Actor<LoadGeneratorMessage, unknown> = await system.spawn(loadGenerator());
  loadRoutes(router, localLoadPort(generatorActor), transport.self, { check: guard.checkTask, maxConcurrent: config.orchestrator.max_concurrent_executions });
  openApiRoutes(router);

  // Membership heartbeats at full pace while load runs here (discovery is spawned last, below).
  let loadHere = false;
  let paceMembership = (_busy: boolean): void => undefined;
  // Node health: samples, alerts, custom checks, gossip.
  const { board: healthBoard, monitor: monitorActor, sampler } = await wireNodeMonitor({
    system, transport, router, config, clock, dataDir, checks: deps.checks ?? [],
    activeRuns: () => ask<LoadGeneratorMessage, number>(generatorActor, (reply) => ({ type: 'load.active', reply })),
    onLoadHere: (busy) => {
      loadHere = busy;
      paceMembership(busy);
    },
  });
  // An idle peer's heap, trimmed when it creeps up (V8 leaves it to grow by 10 MB before it shrinks it again).
  const heapTrim = deps.ownsProcess ? trimHeapWhenIdle({ clock, busy: () => loadHere }) : undefined;

  // Election and executions; workloads reserve through the pool and are placed by the distributor (both spawned below).
  const rm = config.resource_management;
  let poolRef: Actor<ResourcePoolMessage, unknown> | undefined;
  let placeWorkload: PlaceFn = async () => {
    throw new PermanentError('PERMANENT_NOT_READY', 'the test distributor is not running yet');
  };
  const coordinatorActor: Actor<CoordinatorMessage, unknown> = await system.spawn(
    coordinator({
      transport: gated,
      timing: DEFAULT_ELECTION_TIMING,
      formationMs: Math.max(2_000, 3 * heartbeatMs),
      capabilities: config.node.capabilities,
      durable: {
        load: () => loadElectionState(store),
        save: (state) => saveElectionState(store, state),
      },
      eligible: (members) => eligibleGenerators(members),
      executions: { store, messenger, replication, results, split: splitEqually, restLeadMs: START_DELAY_AT_REST_MS, saturation: (node, from, to) => healthBoard.saturation(node, from, to) },
      workloads: poolReservations(() => poolRef!, clock, rm.allocation_timeout),
    }),
  );
  const coordinatorStatus = () => ask<CoordinatorMessage, CoordinatorStatus>(coordinatorActor, (reply) => ({ type: 'status.get', reply }));
  const currentCoordinator = async () => {
    const status = await coordinatorStatus();
    return status.coordinator ? { node_id: status.coordinator, term: status.term } : null;
  };
  office = currentCoordinator;
  serveExecutionRequests({
    messenger,
    coordinator: coordinatorActor,
    guard,
    workload: (id, body) => submitWorkload({ coordinator: coordinatorActor, guard, place: (st, sc) => placeWorkload(st, sc), defaultStrategy: rm.default_strategy }, id, body),
  });
  const toCoordinator = officeClient({ messenger, clock, coordinator: currentCoordinator });
  const toCoordinatorPatiently = officeClient({ messenger, clock, coordinator: currentCoordinator }, { totalMs: 10_000, attemptMs: 3_000 });
  const executionsSource: ExecutionsSource = {
    store,
    reads: results,
    // A workload is placed by the coordinator before it answers: give it longer.
    submit: async (executionId, plan) => (await (isWorkload(plan) ? toCoordinatorPatiently : toCoordinator)('execution.submit', { execution_id: executionId, plan })).doc ?? undefined,
    cancel: async (executionId) => (await toCoordinator('execution.cancel', { execution_id: executionId })).status,
    admit: guard.admitExecution,
    saturation: (node, from, to) => healthBoard.saturation(node, from, to),
    workloads: { defaultStrategy: rm.default_strategy, place: (st, sc) => placeWorkload(st, sc), results: (doc) => results.results(doc) },
  };
  executionRoutes(router, executionsSource);
  // Resource pool: every peer's capacity; allocations decided by the coordinator in office, replicated.
  const poolActor = await wireResourcePool({ system, transport, messenger, router, store, config, dataDir, coordinatorStatus, toCoordinator });
  poolRef = poolActor;

  await system.spawn(
    assignments({
      self: transport.self,
      messenger: guard.checkingAssignments(messenger),
      generator: generatorActor,
      coordinator: currentCoordinator,
      orphanTimeoutMs: ORPHAN_TIMEOUT_MS,
      saturation: (from, to) => healthBoard.saturation(transport.self, from, to),
      // A security_test's probes: every URL passes this peer's own allow-list first.
      probe: probePorts(clock, guard.policy),
      // `${env:NAME}` secrets are resolved here, on the generator, from its own environment.
      prepare: (plan) => {
        try {
          return resolvePlanSecrets(plan, process.env);
        } catch (error) {
          throw guard.asPermanent(error);
        }
      },
    }),
  );

  // Placement of workloads (strategies), learning from finished executions for `adaptive`.
  const distributorActor: Actor<DistributorMessage, unknown> = await system.spawn(
    distributor({
      finished: async () => finishedExecutions(store, (node, from, to) => healthBoard.saturation(node, from, to)),
      persist: { load: () => store.getValue<{ history: History; learnt: string[] }>('distribution'), save: (v) => store.setValue('distribution', v) },
      learnEveryMs: 10_000,
    }),
  );

  /** Every role that follows membership hears each change; a lone peer's view (no one else) counts from the start. */
  const membershipIs = (members: Member[]) => {
    memberIds.clear();
    for (const m of members) if (m.status !== 'dead') memberIds.add(m.node_id);
    coordinatorActor.tell({ type: 'members', members });
    replicationActor.tell({ type: 'members', peers: members.filter((m) => m.status === 'alive').map((m) => m.node_id) });
    monitorActor.tell({ type: 'members', members });
    poolActor.tell({ type: 'members', members });
  };
  membershipIs([]);

  // Membership last: its changes feed the coordinator's electorate and generator list.
  const discoveryActor: Actor<DiscoveryMessage, unknown> = await system.spawn(
    discovery({
      onChange: (_change, members) => membershipIs(members),
      transport,
      self,
      heartbeatMs,
      restHeartbeatMs: REST_HEARTBEAT_FACTOR * heartbeatMs,
      timing: timingFor(heartbeatMs, {
        ...(config.discovery.suspect_timeout ? { suspectAfterMs: config.discovery.suspect_timeout * 1_000 } : {}),
        ...(config.discovery.dead_timeout ? { deadAfterMs: config.discovery.dead_timeout * 1_000 } : {}),
        disconnectGraceMs: config.discovery.disconnect_grace * 1_000,
        cleanupAfterMs: config.discovery.service_timeout * 1_000,
      }),
    }),
  );
  paceMembership = (busy) => discoveryActor.tell({ type: 'pace', busy });
  if (loadHere) paceMembership(true);
  const members = () => ask<DiscoveryMessage, Member[]>(discoveryActor, (reply) => ({ type: 'members.get', reply }));

  const nodes = async (): Promise<NodeView[]> => {
    const now = clock.now();
    const me = toNodeView({ ...self, addresses: transport.addresses(), status: 'alive', last_seen: now, status_since: startedAt }, true);
    return [me, ...(await members()).map((m) => toNodeView(m, false, transport.roundTripMs(m.node_id)))];
  };
  const clusterSource: ClusterSource = { nodeId: transport.self, version: VERSION, startedAt, coordinator: currentCoordinator, health: healthBoard, nodes };
  clusterRoutes(router, clusterSource);
  // Metrics, live page, HTML reports; node health from the node monitor's latest samples.
  const nodeHealth = () => healthBoard.cluster().nodes.flatMap((n) => (n.sample ? [{ ...fromHealthSample(n.sample), status: n.state, health_score: n.score }] : []));
  const healthSummary = () => {
    const { nodes: _, ...aggregate } = healthBoard.cluster();
    return aggregate;
  };
  const isCoordinator = async () => (await coordinatorStatus()).role === 'coordinator';
  const observe = observeRoutes(router, { self: transport.self, store, nodes, coordinator: currentCoordinator, isCoordinator, nodeHealth, healthSummary });

  placeWorkload = placer({
    self: { node_id: transport.self, capabilities: config.node.capabilities, location: config.node.location },
    members,
    pool: poolActor,
    health: () => healthBoard.cluster(),
    distributor: distributorActor,
  });
  workloadRoutes(router, {
    defaultStrategy: rm.default_strategy,
    place: (strategy, scenarios) => placeWorkload(strategy, scenarios),
    history: () => ask<DistributorMessage, History>(distributorActor, (reply) => ({ type: 'history.get', reply })),
  });
  // The MCP surface over the same sources as the REST routes.
  const mcpClient = localClusterClient(clusterSource, executionsSource);
  const mcp = mountMcp(router, mcpSurface(mcpClient, planner, config, [http.port, ...tcpPorts(transport.addresses())], log.child('mcp')));
  http.route(router);

  let stopping: Promise<void> | undefined;
  return {
    id: transport.self,
    httpUrl: http.url,
    transport,
    store,
    health: healthBoard,
    addresses: () => transport.addresses(),
    members,
    coordinatorStatus,
    mcpClient,
    stop: () =>
      (stopping ??= (async () => {
        // Say goodbye first so the others drop us at once, then close everything.
        await ask<DiscoveryMessage, void>(discoveryActor, (reply) => ({ type: 'leave', reply: () => reply() }), 500).catch(() => undefined);
        observe.close();
        await mcp.close();
        await http.close();
        await system.stop();
        sampler.close();
        heapTrim?.close();
        retention.close();
        await transport.stop();
        store.close();
        lock.release();
      })()),
  };
}
