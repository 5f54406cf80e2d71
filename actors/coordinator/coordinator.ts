// The coordinator actor: takes part in the election on every peer; the one in office runs executions.
import type { ActorContext, Behaviour } from '../../src/actor/types.js';
import { decodeFrame, encodeFrame } from '../../src/protocol/frame.js';
import type { Transport } from '../../src/transport/transport.js';
import { assertNever } from '../../src/util/assert-never.js';
import type { Member } from '../../src/protocol/membership.js';
import { maxElectionTimeout, type DurableElectionState, type ElectionMessage, type ElectionTiming } from './election.js';
import { ElectionDriver } from './election-driver.js';
import { ELECTION_PROTOCOL, ElectionFrame } from '../../src/protocol/election.js';
import { ExecutionManager, type ExecutionPorts } from './executions.js';
import type { CoordinatorMessage, CoordinatorStatus, Outcome } from './messages.js';

export interface CoordinatorInit {
  transport: Transport;
  timing: ElectionTiming;
  /** No election before this peer has been up this long: membership converges first. */
  formationMs: number;
  durable: { load(): DurableElectionState; save(state: DurableElectionState): void };
  /** This peer's capabilities (it generates load too when it has `http_load`). */
  capabilities: readonly string[];
  executions: Omit<ExecutionPorts, 'peers' | 'generators' | 'now' | 'log' | 'leaseValid' | 'isLost'>;
  /** The peers that may take new work now, from the membership (the test distributor's rule), this one included. */
  eligible(members: readonly { node_id: string; capabilities: readonly string[]; status: Member['status'] }[]): string[];
}

interface CoordinatorState {
  election: ElectionDriver;
  executions: ExecutionManager;
  members: Member[];
  startedAt: number;
}

const TICK_MS = 20;
const EXECUTIONS_TICK_MS = 100;

function settle<T>(fn: () => T): Outcome<T> {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

export function coordinator(init: CoordinatorInit): Behaviour<CoordinatorMessage, CoordinatorState> {
  const { transport } = init;
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
    state.members = [];
    state.executions = new ExecutionManager({
      ...init.executions,
      log: ctx.log,
      now: () => ctx.clock.now(),
      leaseValid: () => state.election.inOffice(ctx.clock.now()),
      peers: () => state.members.filter((m) => m.status === 'alive').map((m) => m.node_id),
      isLost: (node) => node !== transport.self && (state.members.find((m) => m.node_id === node)?.status ?? 'dead') === 'dead',
      generators: () =>
        init.eligible([...state.members, { node_id: transport.self, capabilities: init.capabilities, status: 'alive' }]),
    });
    state.election = new ElectionDriver(
      {
        transport,
        timing: init.timing,
        log: ctx.log,
        loadDurable: init.durable.load,
        saveDurable: init.durable.save,
        onRole: (r) => {
          ctx.log.info(r.role === 'coordinator' ? 'in office' : `now ${r.role}`, { term: r.term, coordinator: r.coordinator ?? undefined });
          if (r.role === 'coordinator') state.executions.takeOffice(r.term);
          else if (state.executions.inOffice) state.executions.leaveOffice();
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
      ctx.startInterval('tick', TICK_MS, { type: 'tick' });
      ctx.startInterval('executions', EXECUTIONS_TICK_MS, { type: 'executions.tick' });
      return state;
    },

    receive(state, msg, ctx) {
      const now = ctx.clock.now();
      switch (msg.type) {
        case 'tick':
          if (now - state.startedAt >= init.formationMs) state.election.apply({ type: 'tick', now });
          break;
        case 'election.inbound':
          msg.reply(state.election.apply({ type: 'receive', now, from: msg.from, message: msg.message }));
          break;
        case 'election.reply':
          state.election.apply({ type: 'receive', now, from: msg.from, message: msg.message });
          break;
        case 'members':
          state.members = msg.members;
          state.election.apply({ type: 'electorate', now, members: msg.members.map((m) => m.node_id) });
          break;
        case 'status.get':
          msg.reply(status(state, now));
          break;
        case 'executions.tick':
          if (state.executions.inOffice && !state.election.inOffice(now)) state.executions.leaveOffice();
          state.executions.tick();
          break;
        case 'execution.submit':
          msg.reply(
            settle(() => {
              state.executions.submit(msg.executionId, msg.plan, msg.source);
              return init.executions.store.getExecution(msg.executionId)?.doc;
            }),
          );
          break;
        case 'execution.cancel':
          msg.reply(settle(() => state.executions.cancel(msg.executionId)));
          break;
        case 'execution.delta':
          msg.reply(settle(() => state.executions.onDelta(msg.executionId, msg.from, msg.task, msg.delta)));
          break;
        default:
          assertNever(msg);
      }
      return state;
    },

    stop(state) {
      state.executions.leaveOffice();
    },
  };
}
