// The coordinator actor: takes part in the election on every peer; the one in office runs executions.
import type { ActorContext, Behaviour } from '../../src/actor/types.js';
import { decodeFrame, encodeFrame } from '../../src/protocol/frame.js';
import type { Transport } from '../../src/transport/transport.js';
import { McpError } from '../../src/errors.js';
import { assertNever } from '../../src/util/assert-never.js';
import type { Member } from '../../src/protocol/membership.js';
import { maxElectionTimeout, type DurableElectionState, type ElectionMessage, type ElectionTiming } from './election.js';
import { ElectionDriver } from './election-driver.js';
import { ELECTION_PROTOCOL, ElectionFrame } from '../../src/protocol/election.js';
import { ExecutionsDriver, type ExecutionsPorts } from './executions/driver.js';
import type { CoordinatorMessage, CoordinatorStatus } from './messages.js';
import { WorkloadsDriver, type WorkloadPorts } from './workloads/driver.js';

export interface CoordinatorInit {
  transport: Transport;
  timing: ElectionTiming;
  /** No election before this peer has been up this long: membership converges first. */
  formationMs: number;
  durable: { load(): DurableElectionState; save(state: DurableElectionState): void };
  /** This peer's capabilities (it generates load too when it has `http_load`). */
  capabilities: readonly string[];
  executions: ExecutionsPorts;
  /** Reservations of workloads' resources through the pool. */
  workloads: WorkloadPorts;
  /** The peers that may take new work now, from the membership (the test distributor's rule), this one included. */
  eligible(members: readonly { node_id: string; capabilities: readonly string[]; status: Member['status'] }[]): string[];
}

interface CoordinatorState {
  election: ElectionDriver;
  executions: ExecutionsDriver;
  workloads: WorkloadsDriver;
  startedAt: number;
  /** When the tick timer is set to fire (Infinity: not set). */
  tickAt: number;
}

/** How long an event held for want of a lease waits before it is looked at again. */
const LEASE_WAIT_MS = 20;

/**
 * Nothing about executions is decided without a valid lease. A request is refused (the caller tries
 * again); any other event waits a tick, for the acknowledgements queued behind it to renew the lease or
 * for the election to step down (the executions then leave office with it). True when `msg` was held.
 */
function waitForLease(msg: CoordinatorMessage, ctx: ActorContext<CoordinatorMessage>): boolean {
  const notNow = () => new McpError('NOT_COORDINATOR', 'the coordinator is renewing its lease; try again');
  switch (msg.type) {
    case 'execution.submit':
    case 'workload.submit':
    case 'execution.cancel':
    case 'execution.delta':
      msg.reply({ ok: false, error: notNow() });
      return true;
    case 'executions.sent':
      ctx.startTimer(`lease-wait:sent:${msg.id}`, LEASE_WAIT_MS, msg);
      return true;
    case 'executions.timer':
      ctx.startTimer(`execution:${msg.key}`, LEASE_WAIT_MS, msg);
      return true;
    case 'executions.gathered':
      ctx.startTimer('lease-wait:gathered', LEASE_WAIT_MS, msg);
      return true;
    case 'workloads.reserved':
      ctx.startTimer(`lease-wait:reserved:${msg.executionId}:${msg.task}`, LEASE_WAIT_MS, msg);
      return true;
    case 'workloads.child-ended':
      ctx.startTimer(`lease-wait:child:${msg.doc.execution_id}`, LEASE_WAIT_MS, msg);
      return true;
    case 'members':
      // The newest view is the one that counts; the electorate is updated a tick later too.
      ctx.startTimer('lease-wait:members', LEASE_WAIT_MS, msg);
      return true;
    default:
      return false;
  }
}

export function coordinator(init: CoordinatorInit): Behaviour<CoordinatorMessage, CoordinatorState> {
  const { transport } = init;
  /**
   * Sleep until the election needs a tick (its next heartbeat, lease end or election deadline; no
   * election before formation), instead of ticking: an idle peer wakes a few times a second, not 50.
   * The timer is moved only when the need comes earlier; one that fires early finds nothing to do.
   */
  const wake = (state: CoordinatorState, ctx: ActorContext<CoordinatorMessage>) => {
    const now = ctx.clock.now();
    // Heartbeats at full pace only while executions rely on the lease (election.ts, restHeartbeatMs).
    if (state.executions.busy !== state.election.state.busy) state.election.apply({ type: 'pace', now, busy: state.executions.busy });
    const at = Math.max(state.election.nextTick(now), state.startedAt + init.formationMs);
    if (at >= state.tickAt) return;
    state.tickAt = at;
    ctx.startTimer('tick', Math.max(0, at - now), { type: 'tick' });
  };
  const status = (s: CoordinatorState, now: number): CoordinatorStatus => {
    const e = s.election.state;
    const inOffice = s.election.inOffice(now);
    // A follower names the coordinator only while it keeps hearing from it.
    const heard = e.role === 'follower' && e.coordinator !== null && now - e.heardCoordinatorAt <= maxElectionTimeout(init.timing);
    return { node_id: transport.self, role: e.role, term: e.term, coordinator: inOffice ? transport.self : heard ? e.coordinator : null, in_office: inOffice };
  };

  const makeState = (ctx: ActorContext<CoordinatorMessage>): CoordinatorState => {
    const now = ctx.clock.now();
    const state = {} as CoordinatorState;
    state.startedAt = now;
    state.tickAt = Infinity;
    state.executions = new ExecutionsDriver(transport.self, init.executions, ctx);
    state.workloads = new WorkloadsDriver(transport.self, { ...init.executions, executions: state.executions, ports: init.workloads }, ctx);
    // Through the mailbox: a child's end is handled in a turn of its own, not inside the lifecycle's step.
    state.executions.onEnded = (doc) => {
      if (doc.child_of) ctx.self.tell({ type: 'workloads.child-ended', doc });
    };
    state.executions.onReady = () => state.workloads.ready(state.executions.state.term);
    state.election = new ElectionDriver(
      {
        transport,
        timing: init.timing,
        log: ctx.log,
        loadDurable: init.durable.load,
        saveDurable: init.durable.save,
        onRole: (r) => {
          ctx.log.info(r.role === 'coordinator' ? 'in office' : `now ${r.role}`, { term: r.term, coordinator: r.coordinator ?? undefined });
          if (r.role === 'coordinator') state.executions.tookOffice(r.term);
          else if (state.executions.inOffice) {
            state.executions.leftOffice();
            state.workloads.left();
          }
        },
        deliver: (from, message) => ctx.self.tell({ type: 'election.reply', from, message }),
      },
      now,
      [],
    );
    return state;
  };

  return {
    role: 'coordinator',

    init(ctx) {
      const state = makeState(ctx);
      transport.handle(ELECTION_PROTOCOL, async ({ from, data }) => {
        const frame = decodeFrame(data, ElectionFrame);
        if (frame.type === 'election.none') return encodeFrame({ type: 'election.none' });
        const reply = await new Promise<ElectionMessage | undefined>((resolve) => {
          if (!ctx.self.tell({ type: 'election.inbound', from, message: frame, reply: resolve })) resolve(undefined);
        });
        return encodeFrame(reply ?? { type: 'election.none' });
      });
      wake(state, ctx);
      return state;
    },

    receive(state, msg, ctx) {
      const now = ctx.clock.now();
      if (state.executions.inOffice && !state.election.inOffice(now) && waitForLease(msg, ctx)) return state;
      switch (msg.type) {
        case 'tick':
          state.tickAt = Infinity;
          if (now - state.startedAt >= init.formationMs) state.election.apply({ type: 'tick', now });
          break;
        case 'election.inbound':
          msg.reply(state.election.apply({ type: 'receive', now, from: msg.from, message: msg.message }));
          break;
        case 'election.reply':
          state.election.apply({ type: 'receive', now, from: msg.from, message: msg.message });
          break;
        case 'members':
          state.election.apply({ type: 'electorate', now, members: msg.members.map((m) => m.node_id) });
          state.executions.members(
            init.eligible([...msg.members, { node_id: transport.self, capabilities: init.capabilities, status: 'alive' }]),
            msg.members.map((m) => ({ node_id: m.node_id, status: m.status })),
          );
          break;
        case 'status.get':
          msg.reply(status(state, now));
          break;
        case 'executions.sent':
        case 'executions.timer':
        case 'executions.gathered':
          state.executions.receive(msg);
          break;
        case 'execution.submit':
          msg.reply(state.executions.submit(msg.executionId, msg.plan, msg.source));
          break;
        case 'workload.submit':
          msg.reply(state.workloads.submit(msg.executionId, msg.workload));
          break;
        case 'workloads.reserved':
        case 'workloads.child-ended':
          state.workloads.receive(msg);
          break;
        case 'execution.cancel': {
          const workload = state.executions.inOffice ? state.workloads.cancel(msg.executionId) : undefined;
          msg.reply(workload ? { ok: true, value: workload } : state.executions.cancel(msg.executionId));
          break;
        }
        case 'execution.delta':
          msg.reply(state.executions.delta(msg.executionId, msg.from, msg.task, msg.delta));
          break;
        case 'execution.renew':
          msg.reply(state.executions.renew(msg.executionId, msg.from));
          break;
        default:
          assertNever(msg);
      }
      wake(state, ctx);
      return state;
    },

    stop(state) {
      state.executions.leftOffice();
      state.workloads.left();
    },
  };
}
