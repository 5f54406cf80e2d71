// The composition root: the only module that knows every actor, the transport and the status port.
import { resolve } from 'node:path';
import { ActorSystem } from './actor/system.js';
import { ask } from './actor/ask.js';
import type { Actor } from './actor/actor.js';
import type { Config } from './config/schema.js';
import { McpError, errorMessage, type ValidationError } from './errors.js';
import { PermanentError } from '../actors/messaging-hub/errors.js';
import { Router } from './http/router.js';
import { startStatusServer, type StatusServer } from './http/server.js';
import { clusterRoutes, toNodeView, type ClusterSource, type NodeView } from './http/routes/cluster.js';
import { loadRoutes } from './http/routes/load.js';
import { executionRoutes, type ExecutionsSource } from './http/routes/executions.js';
import { localClusterClient, mcpSurface, mountMcp, type ClusterClient } from './mcp/index.js';
import { hubMessenger } from './hub-messenger.js';
import { isFinalFailure } from './messaging.js';
import { validatePlan, type Plan } from './plan/index.js';
import { peerGuard, tcpPorts } from './guardrails/index.js';
import type { ResultsDelta } from './stats/index.js';
import { Store } from './store/store.js';
import { Libp2pTransport } from './transport/libp2p/transport.js';
import type { Transport } from './transport/transport.js';
import { systemClock, type Clock } from './util/clock.js';
import type { Logger } from './util/log.js';
import { parseOrThrow } from './validation.js';
import { VERSION } from './version.js';
import { discovery } from '../actors/discovery/discovery.js';
import { timingFor } from '../actors/discovery/membership.js';
import type { DiscoveryMessage, Member, MemberInfo } from '../actors/discovery/messages.js';
import { coordinator } from '../actors/coordinator/coordinator.js';
import { DEFAULT_ELECTION_TIMING, type DurableElectionState } from '../actors/coordinator/election.js';
import { CancelPayload, DeltaPayload, KINDS, ReplicateDeltaPayload, ReplicatePayload, SubmitPayload, type DeltaAck, type ExecutionDoc } from '../actors/coordinator/execution.js';
import type { CoordinatorMessage, CoordinatorStatus, Outcome } from '../actors/coordinator/messages.js';
import { loadGenerator } from '../actors/load-generator/actor.js';
import { AssignmentAgent } from '../actors/load-generator/assignments.js';
import type { LoadGeneratorMessage } from '../actors/load-generator/messages.js';
import { messagingHub } from '../actors/messaging-hub/hub.js';
import type { HubMessage } from '../actors/messaging-hub/messages.js';

export interface Peer {
  readonly id: string;
  readonly httpUrl: string;
  readonly transport: Transport;
  readonly store: Store;
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
  const store = Store.open(dataDir);
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

  const guard = peerGuard(config, {
    ownPorts: [http.port, ...tcpPorts(transport.addresses())],
    activeExecutions: () => store.listExecutions(['pending', 'running']).length,
    permanent: (code, error) => new PermanentError(code, error.message, { details: error.details }),
  });
  if (guard.warning) log.warn(guard.warning);

  // Messaging hub: direct messages with delivery modes.
  const hub: Actor<HubMessage, unknown> = await system.spawn(messagingHub({ transport, messageTimeoutMs: config.communication.message_timeout * 1_000 }));
  const messenger = hubMessenger(hub, transport.self);

  // Replicas of executions and their results, on every peer.
  messenger.on(KINDS.replicate, (payload) => {
    const { doc } = parseOrThrow(ReplicatePayload, payload, 'PERMANENT_INVALID', 'invalid replica');
    const full = doc as unknown as ExecutionDoc;
    store.putExecution({ execution_id: full.execution_id, term: full.term, version: full.version, status: full.status, created_at: full.created_at, doc: full });
    return true;
  });
  messenger.on(KINDS.replicateDelta, (payload) => {
    const d = parseOrThrow(ReplicateDeltaPayload, payload, 'PERMANENT_INVALID', 'invalid delta replica');
    store.addDelta(d);
    return true;
  });
  // A new coordinator gathers every peer's replicas of unfinished executions before it takes over.
  messenger.on(KINDS.sync, () => {
    const docs = store.listExecutions(['pending', 'running', 'cancelled']).map((e) => e.doc as ExecutionDoc);
    return { docs, deltas: docs.flatMap((doc) => store.deltas(doc.execution_id)) };
  });

  // Load generation, local and assigned.
  const generatorActor: Actor<LoadGeneratorMessage, unknown> = await system.spawn(loadGenerator());
  loadRoutes(router, generatorActor, transport.self, { check: guard.checkTask, maxConcurrent: config.orchestrator.max_concurrent_executions });

  // Election and executions.
  const coordinatorActor: Actor<CoordinatorMessage, unknown> = await system.spawn(
    coordinator({
      transport,
      timing: DEFAULT_ELECTION_TIMING,
      formationMs: Math.max(2_000, 3 * heartbeatMs),
      capabilities: config.node.capabilities,
      durable: {
        load: () => store.getValue<DurableElectionState>('election') ?? { term: 0, votedFor: null },
        save: (state) => store.setValue('election', state),
      },
      executions: { self: transport.self, store, messenger },
    }),
  );
  const coordinatorStatus = () => ask<CoordinatorMessage, CoordinatorStatus>(coordinatorActor, (reply) => ({ type: 'status.get', reply }));
  const currentCoordinator = async () => {
    const status = await coordinatorStatus();
    return status.coordinator ? { node_id: status.coordinator, term: status.term } : null;
  };
  messenger.on(KINDS.submit, async (payload) => {
    const { execution_id, plan } = parseOrThrow(SubmitPayload, payload, 'PERMANENT_INVALID', 'invalid submission');
    let valid: Plan;
    try {
      valid = validatePlan(plan);
    } catch (error) {
      // No retry can fix a plan.
      throw new PermanentError('PERMANENT_PLAN_INVALID', errorMessage(error), { details: (error as ValidationError).problems });
    }
    await guard.admitExecution(valid).catch((error: unknown) => {
      throw guard.asPermanent(error);
    });
    return unwrap(
      ask<CoordinatorMessage, Outcome<ExecutionDoc | undefined>>(coordinatorActor, (reply) => ({ type: 'execution.submit', executionId: execution_id, plan: valid, source: plan, reply })),
    );
  });
  messenger.on(KINDS.cancel, async (payload) => {
    const { execution_id } = parseOrThrow(CancelPayload, payload, 'PERMANENT_INVALID', 'invalid cancel');
    return unwrap(ask<CoordinatorMessage, Outcome<string>>(coordinatorActor, (reply) => ({ type: 'execution.cancel', executionId: execution_id, reply })));
  });
  messenger.on(KINDS.delta, async (payload, from) => {
    const d = parseOrThrow(DeltaPayload, payload, 'PERMANENT_INVALID', 'invalid delta');
    return unwrap(
      ask<CoordinatorMessage, Outcome<DeltaAck>>(coordinatorActor, (reply) => ({
        type: 'execution.delta',
        executionId: d.execution_id,
        from,
        task: d.task,
        delta: d.delta as ResultsDelta,
        reply,
      })),
    );
  });
  /** Send to the coordinator in office, finding it again on every attempt (office may change meanwhile). */
  const toCoordinator = async (kind: string, payload: unknown): Promise<unknown> => {
    const deadline = Date.now() + 4_000;
    let lastError: unknown = new McpError('NO_COORDINATOR', 'no coordinator is in office yet; try again in a moment');
    while (Date.now() < deadline) {
      const current = await currentCoordinator();
      if (current) {
        try {
          return await messenger.send(current.node_id, kind, payload, 'reliable', { deadlineMs: 1_000 });
        } catch (error) {
          if (isFinalFailure(error)) throw error;
          lastError = error;
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw lastError;
  };
  const executionsSource: ExecutionsSource = {
    store,
    submit: async (executionId, plan) => (await toCoordinator(KINDS.submit, { execution_id: executionId, plan })) as ExecutionDoc | undefined,
    cancel: async (executionId) => String(await toCoordinator(KINDS.cancel, { execution_id: executionId })),
    admit: guard.admitExecution,
  };
  executionRoutes(router, executionsSource);

  const agent = new AssignmentAgent({
    self: transport.self,
    messenger,
    generator: generatorActor,
    coordinator: currentCoordinator,
    log: log.child('assignments'),
    orphanTimeoutMs: ORPHAN_TIMEOUT_MS,
    admit: async (plan) => guard.checkAssigned(plan),
  });
  agent.start();

  // Membership last: its changes feed the coordinator's electorate and generator list.
  let discoveryActor: Actor<DiscoveryMessage, unknown> | undefined = undefined;
  const members = () => ask<DiscoveryMessage, Member[]>(discoveryActor!, (reply) => ({ type: 'members.get', reply }));
  const refreshMembers = () =>
    void members()
      .then((list) => coordinatorActor.tell({ type: 'members', members: list }))
      .catch(() => undefined);
  const memberRefresh = setInterval(refreshMembers, 1_000);
  memberRefresh.unref();
  discoveryActor = await system.spawn(
    discovery({
      onChange: refreshMembers,
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

  const clusterSource: ClusterSource = {
    nodeId: transport.self,
    version: VERSION,
    startedAt,
    coordinator: currentCoordinator,
    async nodes(): Promise<NodeView[]> {
      const now = clock.now();
      const me = toNodeView({ ...self, addresses: transport.addresses(), status: 'alive', last_seen: now, status_since: startedAt }, true);
      return [me, ...(await members()).map((m) => toNodeView(m, false))];
    },
  };
  clusterRoutes(router, clusterSource);
  // The MCP surface over the same sources as the REST routes.
  const mcpClient = localClusterClient(clusterSource, executionsSource);
  const mcp = mountMcp(router, mcpSurface(mcpClient, config, [http.port, ...tcpPorts(transport.addresses())], log.child('mcp')), config);

  let stopping: Promise<void> | undefined;
  return {
    id: transport.self,
    httpUrl: http.url,
    transport,
    store,
    addresses: () => transport.addresses(),
    members,
    coordinatorStatus,
    mcpClient,
    stop: () =>
      (stopping ??= (async () => {
        // Say goodbye first so the others drop us at once, then close everything.
        await ask<DiscoveryMessage, void>(discoveryActor!, (reply) => ({ type: 'leave', reply: () => reply() }), 500).catch(() => undefined);
        agent.stop();
        await mcp.close();
        clearInterval(memberRefresh);
        await http.close();
        await system.stop();
        await transport.stop();
        store.close();
      })()),
  };
}
