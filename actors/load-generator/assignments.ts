// A generator's side of distributed executions, as an actor: takes assignments (fenced by term), runs
// them on the load-generator actor, and keeps every delta until the coordinator in office has
// acknowledged it, resending them all to a new coordinator. Stops its load when no coordinator answers
// for too long. Every change of state happens in `receive`; completions come back as messages.
import type { ActorRef, Behaviour } from '../../src/actor/types.js';
import { PermanentError, errorMessage } from '../../src/errors.js';
import { FINAL_STATUSES, runIdOf } from '../../src/execution/contract.js';
import { RENEW_MS, UNSURE_WAIT_MS } from '../../src/execution/share-lease.js';
import { holdStep, initialHold, type Hold, type HoldEvent } from './share-hold.js';
import { applyHoldEffects, type HoldTarget } from './hold-effects.js';
import { validatePlan, type Plan } from '../../src/plan/index.js';
import type { Saturation } from '../../src/health.js';
import type { PeerMessenger } from '../../src/protocol/peer-messenger.js';
import type { AssignRequest, ResegmentRequest, ShareReply } from '../../src/protocol/peer-protocol.js';
import type { ResultsDelta } from '../../src/stats/index.js';
import { assertNever } from '../../src/util/assert-never.js';
import type { AssignmentMessage, CoordinatorRef, Outcome } from './assignment-messages.js';
import type { LoadGeneratorMessage } from './messages.js';
import type { ProbePorts } from './security/probe-client.js';
import { refusingPorts, startScanRun, type ScanRun } from './security/scan-run.js';

export type { AssignmentMessage } from './assignment-messages.js';

export interface AssignmentsInit {
  self: string;
  messenger: PeerMessenger;
  generator: ActorRef<LoadGeneratorMessage>;
  /** The coordinator in office as this peer knows it. */
  coordinator(): Promise<CoordinatorRef | null>;
  /** Stop load after this long without any coordinator's word. */
  orphanTimeoutMs: number;
  /** This peer's own last word on an assigned plan (e.g. its secrets resolved); throws a PermanentError to refuse it. */
  prepare?(plan: Plan): Plan;
  /** How overloaded this generator was over [from, to] (the node monitor's probes): told with its final delta. */
  saturation?(from: number, to: number): Saturation;
  /** Clock, pauses and the allow-list check of a security_test's probes (without them a scan ends unrun). */
  probe?: ProbePorts;
}

interface Outgoing {
  task: number;
  delta: ResultsDelta;
  /** Term of the coordinator that acknowledged it (0: none yet). */
  ackedTerm: number;
}

interface ExecutionWork {
  request: AssignRequest;
  plan: Plan;
  /** Deltas by `${run_id}#${seq}`, kept until acknowledged by the coordinator in office. */
  outbox: Map<string, Outgoing>;
  /** The delta on its way to the coordinator (one at a time per execution), if any. */
  inFlight: string | null;
  lastContact: number;
  /** When a delta was last sent (new or again, as a renewal). */
  lastSent: number;
  finishedTasks: number;
  stopped: boolean;
  /** Version of the last segment change applied: older ones arriving late are ignored. */
  segmentVersion: number;
  /** The term of the coordinator that sent it: a newer term's split wins whatever its version (versions count per document, and a new coordinator may not have seen the last ones of the old). */
  segmentTerm: number;
  /** The security_test tasks' runs here (not on the load generator). */
  scans: ScanRun[];
  /** The lease on its share: its load runs only while the coordinator vouches for it (share-hold.ts). */
  hold: Hold;
}

export interface AssignmentsState {
  work: Map<string, ExecutionWork>;
  highestTerm: number;
  /** Executions stopped here: an assignment arriving after its stop must not start them. */
  stopped: Set<string>;
  coordinator: CoordinatorRef | null;
  askingCoordinator: boolean;
}

export const PUMP_MS = 100;

/** The longest task of a plan: renewals matter only while load is scheduled. */
function runLengthMs(plan: Plan): number {
  return Math.max(0, ...plan.tasks.map((t) => ('duration' in t.parameters ? Number(t.parameters.duration) : 0))) * 1000;
}
/** The in-flight marker of a renewal (deltas are keyed `${run_id}#${seq}`). */
const RENEW_KEY = 'renew';
/** Runs are set up this long after the acknowledgement, so that setting up does not delay it. */
export const RUN_SETUP_DELAY_MS = 50;
/** A finished, fully acknowledged execution is forgotten after this long without contact. */
const FORGET_AFTER_MS = 60_000;

function settle<T>(fn: () => T): Outcome<T> {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

export function assignments(init: AssignmentsInit): Behaviour<AssignmentMessage, AssignmentsState> {
  const { messenger, generator, self } = init;

  const fence = (state: AssignmentsState, term: number, what: string): void => {
    if (term < state.highestTerm) throw new PermanentError('PERMANENT_STALE_TERM', `${what} from term ${term} refused: term ${state.highestTerm} is current`);
    state.highestTerm = term;
  };

  const stopRuns = (executionId: string, work: ExecutionWork): Promise<unknown> => {
    if (work.stopped) return Promise.resolve();
    work.stopped = true;
    for (const scan of work.scans) scan.stop();
    return Promise.allSettled(
      work.plan.tasks.map(
        (_, i) => new Promise<boolean>((resolve) => generator.tell({ type: 'load.stop', taskId: runIdOf(executionId, i, self), reply: resolve }) || resolve(false)),
      ),
    );
  };

  return {
    role: 'assignments',

    init(ctx) {
      const ask = <T>(make: (reply: (outcome: Outcome<T>) => void) => AssignmentMessage): Promise<T> =>
        new Promise<T>((resolve, reject) => {
          const accepted = ctx.self.tell(make((outcome) => (outcome.ok ? resolve(outcome.value) : reject(outcome.error))));
          if (!accepted) reject(new PermanentError('PERMANENT_UNAVAILABLE', 'the assignment actor is not accepting messages'));
        });
      messenger.on('task.assign', (request) => ask<{ accepted: true }>((reply) => ({ type: 'assign', request, reply })));
      messenger.on('task.resegment', (request) => ask<{ accepted: boolean }>((reply) => ({ type: 'resegment', request, reply })));
      messenger.on('task.stop', (request) => ask<{ stopped: boolean }>((reply) => ({ type: 'stop', request, reply })));
      return { work: new Map(), highestTerm: 0, stopped: new Set(), coordinator: null, askingCoordinator: false };
    },

    receive(state, msg, ctx) {
      const now = ctx.clock.now();
      switch (msg.type) {
        case 'assign':
          msg.reply(settle(() => onAssign(state, msg.request)));
          break;
        case 'resegment': {
          const outcome = settle(() => onResegment(state, msg.request));
          if (!outcome.ok) msg.reply(outcome);
          else void outcome.value.then((value) => msg.reply({ ok: true, value }));
          break;
        }
        case 'stop': {
          const outcome = settle(() => {
            fence(state, msg.request.term, 'stop');
            state.stopped.add(msg.request.execution_id);
            return state.work.get(msg.request.execution_id);
          });
          if (!outcome.ok) msg.reply(outcome);
          else if (!outcome.value) msg.reply({ ok: true, value: { stopped: false } });
          else void stopRuns(msg.request.execution_id, outcome.value).then(() => msg.reply({ ok: true, value: { stopped: true } }));
          break;
        }
        case 'setup':
          startRuns(msg.executionId);
          break;
        case 'delta': {
          const work = state.work.get(msg.executionId);
          // The share's own verdict travels with its results, so the stored report keeps it.
          const delta = msg.delta.final && work && init.saturation ? { ...msg.delta, saturation: init.saturation(work.request.start_at, ctx.clock.now()) } : msg.delta;
          work?.outbox.set(`${delta.run_id}#${delta.seq}`, { task: msg.task, delta, ackedTerm: 0 });
          if (work) sendNext(msg.executionId, work);
          break;
        }
        case 'run.done': {
          const work = state.work.get(msg.executionId);
          if (work) work.finishedTasks++;
          break;
        }
        case 'pump':
          // The pump runs while there is work (see onAssign): an idle peer does not wake for it.
          if (state.work.size === 0) ctx.cancelTimer('pump');
          if (state.work.size === 0 || state.askingCoordinator) break;
          state.askingCoordinator = true;
          init.coordinator().then(
            (coordinator) => ctx.self.tell({ type: 'pump.coordinator', coordinator }),
            () => ctx.self.tell({ type: 'pump.coordinator', coordinator: null }),
          );
          break;
        case 'pump.coordinator':
          state.askingCoordinator = false;
          state.coordinator = msg.coordinator;
          pump();
          break;
        case 'delta.acked': {
          const work = state.work.get(msg.executionId);
          if (!work) break;
          if (work.inFlight === msg.key) work.inFlight = null;
          const out = work.outbox.get(msg.key);
          if (out) out.ackedTerm = Math.max(out.ackedTerm, msg.term);
          work.lastContact = now;
          onHold(msg.executionId, work, { type: 'verdict', now, sentAt: msg.sentAt, share: msg.share, ...(msg.movedAt !== undefined ? { movedAt: msg.movedAt } : {}) });
          // The execution is over (cancelled, or ended without us): stop what still runs here.
          if ((FINAL_STATUSES as readonly string[]).includes(msg.status) && !work.stopped) void stopRuns(msg.executionId, work);
          sendNext(msg.executionId, work);
          break;
        }
        case 'delta.failed': {
          const work = state.work.get(msg.executionId);
          if (work?.inFlight === msg.key) work.inFlight = null;
          ctx.log.debug('delta not acknowledged', { execution: msg.executionId, delta: msg.key, error: msg.error });
          break;
        }
        default:
          assertNever(msg);
      }
      return state;

      function onAssign(s: AssignmentsState, a: AssignRequest): { accepted: true } {
        fence(s, a.term, 'assignment');
        if (s.work.has(a.execution_id)) return { accepted: true }; // delivered twice
        if (s.stopped.has(a.execution_id)) throw new PermanentError('PERMANENT_STOPPED', `execution ${a.execution_id} was stopped here`);
        let plan: Plan;
        try {
          plan = validatePlan(a.plan);
        } catch (error) {
          throw new PermanentError('PERMANENT_PLAN_INVALID', errorMessage(error));
        }
        if (init.prepare) plan = init.prepare(plan);
        s.work.set(a.execution_id, { request: a, plan, outbox: new Map(), inFlight: null, lastContact: now, lastSent: 0, finishedTasks: 0, stopped: false, segmentVersion: 0, segmentTerm: a.term, scans: [], hold: initialHold() });
        if (s.work.size === 1) ctx.startInterval('pump', PUMP_MS, { type: 'pump' });
        // Acknowledge once accepted. Setting up a run costs a few ms of this event loop, which on the
        // coordinator would delay the acknowledgements of the others: do it a little later, well before
        // the agreed start at which every run begins.
        const setupIn = Math.max(0, Math.min(RUN_SETUP_DELAY_MS, (a.start_at - now) / 4));
        ctx.startTimer(`setup:${a.execution_id}`, setupIn, { type: 'setup', executionId: a.execution_id });
        return { accepted: true };
      }

      function onResegment(s: AssignmentsState, r: ResegmentRequest): Promise<{ accepted: boolean }> {
        fence(s, r.term, 'resegment');
        const work = s.work.get(r.execution_id);
        if (!work) return Promise.resolve({ accepted: false });
        work.lastContact = now;
        const older = r.term < work.segmentTerm || (r.term === work.segmentTerm && r.version < work.segmentVersion);
        if (older) return Promise.resolve({ accepted: true }); // a newer split is already applied
        work.segmentVersion = r.version;
        work.segmentTerm = r.term;
        // Runs not set up yet start with this share: a share moved right after the assignments (one
        // refused at the start) would otherwise be lost (issue 9).
        work.request = { ...work.request, segment: r.segment };
        const changes = work.plan.tasks.map(
          (_, i) =>
            new Promise<boolean>((resolve) =>
              generator.tell({ type: 'load.resegment', taskId: runIdOf(r.execution_id, i, self), from: r.segment.from, to: r.segment.to, atMs: r.at, reply: resolve }) || resolve(false),
            ),
        );
        return Promise.all(changes).then(() => ({ accepted: true }));
      }

      function startRuns(executionId: string): void {
        const work = state.work.get(executionId);
        if (!work || work.stopped) return;
        const a = work.request;
        work.plan.tasks.forEach((task, i) => {
          const onDelta = (delta: ResultsDelta) => ctx.self.tell({ type: 'delta', executionId, task: i, delta });
          const onDone = () => ctx.self.tell({ type: 'run.done', executionId });
          if (task.type === 'security_test') {
            const ports = init.probe ?? refusingPorts(ctx.clock);
            work.scans.push(startScanRun({ task: task.parameters, runId: runIdOf(executionId, i, self), segment: a.segment, startAt: a.start_at, ports, onDelta, onDone }));
            return;
          }
          generator.tell({
            type: 'load.start',
            request: {
              task: task.parameters,
              name: a.name,
              taskId: runIdOf(executionId, i, self),
              segment: a.segment,
              startAt: a.start_at,
              onDelta,
              onDone,
              fenced: true,
            },
            reply: () => undefined,
          });
        });
        // A lease heard before the runs existed.
        if (work.hold.sure > 0) applyHoldEffects([{ type: 'grant', from: now, until: Math.max(now, work.hold.until), sure: work.hold.sure }], holdTarget(executionId, work));
      }

      /** Apply a step of the share's hold to this execution's runs (hold-effects.ts). */
      function onHold(executionId: string, work: ExecutionWork, event: HoldEvent): void {
        const { hold, effects } = holdStep(work.hold, event);
        work.hold = hold;
        applyHoldEffects(effects, holdTarget(executionId, work));
      }

      function holdTarget(executionId: string, work: ExecutionWork): HoldTarget {
        return { executionId, tasks: work.plan.tasks, self, generator, log: ctx.log, stopped: work.stopped, stop: () => void stopRuns(executionId, work) };
      }

      /** Send the next delta the coordinator in office has not acknowledged (one at a time per execution). */
      function sendNext(executionId: string, work: ExecutionWork): void {
        const coordinator = state.coordinator;
        if (!coordinator || work.inFlight !== null) return;
        const next = [...work.outbox].find(([, out]) => out.ackedTerm < coordinator.term);
        const sentAt = now;
        const answered = (key: string) => (ack: ShareReply) =>
          ctx.self.tell({ type: 'delta.acked', executionId, key, term: coordinator.term, status: ack.status, share: ack.share, sentAt, ...(ack.moved_at !== undefined ? { movedAt: ack.moved_at } : {}) });
        const failed = (key: string) => (error: unknown) => ctx.self.tell({ type: 'delta.failed', executionId, key, error });
        if (next) {
          const [key, out] = next;
          work.inFlight = key;
          work.lastSent = now;
          messenger.send(coordinator.node_id, 'results.delta', { execution_id: executionId, task: out.task, node_id: self, delta: out.delta }, 'reliable', { deadlineMs: 1_000 }).then(answered(key), failed(key));
          return;
        }
        // Nothing new: a renewal, from the assignment until the load's end, keeps the lease (share-lease.ts).
        // Past the end too, while its runs wait to learn whose their paused arrivals were (UNSURE_WAIT_MS).
        const renewing = !work.stopped && !work.hold.over && now - work.lastSent >= RENEW_MS && now < work.request.start_at + runLengthMs(work.plan) + UNSURE_WAIT_MS;
        if (!renewing) return;
        work.inFlight = RENEW_KEY;
        work.lastSent = now;
        messenger.send(coordinator.node_id, 'share.renew', { execution_id: executionId, node_id: self }, 'reliable', { deadlineMs: 1_000 }).then(answered(RENEW_KEY), failed(RENEW_KEY));
      }

      function pump(): void {
        const coordinator = state.coordinator;
        for (const [executionId, work] of state.work) {
          const running = work.finishedTasks < work.plan.tasks.length;
          // Any coordinator in office counts as contact for a running share: a failover is not a reason to
          // stop. Not for a finished one: it would never go quiet, and every execution would stay here.
          if (coordinator) {
            if (running) work.lastContact = Math.max(work.lastContact, now);
            sendNext(executionId, work);
          }
          const scheduled = running && !work.stopped && now >= work.request.start_at && now < work.request.start_at + runLengthMs(work.plan);
          onHold(executionId, work, { type: 'tick', now, scheduled });
          if (running && !work.stopped && now - work.lastContact > init.orphanTimeoutMs) {
            ctx.log.warn('no coordinator answered; stopping load', { execution: executionId, silent_ms: now - work.lastContact });
            void stopRuns(executionId, work);
          }
          const allAcked = [...work.outbox.values()].every((o) => o.ackedTerm > 0);
          if (!running && allAcked && work.inFlight === null && now - work.lastContact > FORGET_AFTER_MS) state.work.delete(executionId);
        }
      }
    },
  };
}
