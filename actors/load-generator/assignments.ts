// A generator's side of distributed executions: takes assignments (fenced by term), runs them on the
// load-generator actor, and keeps every delta until the coordinator in office has acknowledged it,
// resending them all to a new coordinator. Stops its load when no coordinator answers for too long.
import { ask } from '../../src/actor/ask.js';
import type { ActorRef } from '../../src/actor/types.js';
import { parseOrThrow } from '../../src/validation.js';
import { validatePlan, type Plan } from '../../src/plan/index.js';
import type { Messenger } from '../../src/messaging.js';
import type { Logger } from '../../src/util/log.js';
import type { ResultsDelta } from '../../src/stats/index.js';
import { PermanentError } from '../messaging-hub/errors.js';
import { AssignPayload, KINDS, ResegmentPayload, StopPayload, runIdOf } from '../coordinator/execution.js';
import type { LoadGeneratorMessage } from './messages.js';

export interface AssignmentPorts {
  self: string;
  messenger: Messenger;
  generator: ActorRef<LoadGeneratorMessage>;
  /** The coordinator in office as this peer knows it. */
  coordinator(): Promise<{ node_id: string; term: number } | null>;
  log: Logger;
  /** Stop load after this long without any coordinator's word. */
  orphanTimeoutMs: number;
  /** This peer's own guardrails on an assigned plan: throws (a PermanentError) to refuse it. */
  admit?(plan: Plan): Promise<void>;
}

interface Outgoing {
  task: number;
  delta: ResultsDelta;
  /** Term of the coordinator that acknowledged it (0: none yet). */
  ackedTerm: number;
}

interface ExecutionWork {
  plan: Plan;
  outbox: Map<string, Outgoing>;
  lastContact: number;
  finishedTasks: number;
  stopped: boolean;
  /** Version of the last segment change applied: older ones arriving late are ignored. */
  segmentVersion: number;
}

const PUMP_MS = 200;
const RUN_SETUP_DELAY_MS = 50;

export class AssignmentAgent {
  readonly #p: AssignmentPorts;
  readonly #work = new Map<string, ExecutionWork>();
  #highestTerm = 0;
  /** Executions stopped here: an assignment arriving after its stop must not start them. */
  readonly #stopped = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #pumping = false;

  constructor(ports: AssignmentPorts) {
    this.#p = ports;
  }

  start(): void {
    const { messenger } = this.#p;
    messenger.on(KINDS.assign, (payload) => this.#onAssign(parseOrThrow(AssignPayload, payload, 'PERMANENT_INVALID', 'invalid assignment')));
    messenger.on(KINDS.resegment, (payload) => this.#onResegment(parseOrThrow(ResegmentPayload, payload, 'PERMANENT_INVALID', 'invalid resegment')));
    messenger.on(KINDS.stop, (payload) => this.#onStop(parseOrThrow(StopPayload, payload, 'PERMANENT_INVALID', 'invalid stop')));
    this.#timer = setInterval(() => this.#pump().catch((error: unknown) => this.#p.log.error('result pump failed', { error })), PUMP_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #fence(term: number, what: string): void {
    if (term < this.#highestTerm) throw new PermanentError('PERMANENT_STALE_TERM', `${what} from term ${term} refused: term ${this.#highestTerm} is current`);
    this.#highestTerm = term;
  }

  async #onAssign(a: ReturnType<typeof AssignPayload.parse>): Promise<{ accepted: true }> {
    this.#fence(a.term, 'assignment');
    if (this.#work.has(a.execution_id)) return { accepted: true }; // delivered twice
    if (this.#stopped.has(a.execution_id)) throw new PermanentError('PERMANENT_STOPPED', `execution ${a.execution_id} was stopped here`);
    let plan: Plan;
    try {
      plan = validatePlan(a.plan);
    } catch (error) {
      throw new PermanentError('PERMANENT_PLAN_INVALID', (error as Error).message);
    }
    // Nothing is sent to a target this peer refuses, whoever assigned it.
    await this.#p.admit?.(plan);
    if (this.#work.has(a.execution_id)) return { accepted: true }; // delivered twice meanwhile
    if (this.#stopped.has(a.execution_id)) throw new PermanentError('PERMANENT_STOPPED', `execution ${a.execution_id} was stopped here`);
    const work: ExecutionWork = { plan, outbox: new Map(), lastContact: Date.now(), finishedTasks: 0, stopped: false, segmentVersion: 0 };
    this.#work.set(a.execution_id, work);
    // Acknowledge once accepted. Setting up a run costs a few ms of this event loop, which on the
    // coordinator would delay the acknowledgements of the others: do it a little later, well before the
    // agreed start at which every run begins.
    const setupIn = Math.max(0, Math.min(RUN_SETUP_DELAY_MS, (a.start_at - Date.now()) / 4));
    setTimeout(() => this.#startRuns(a, plan, work), setupIn);
    return { accepted: true };
  }

  #startRuns(a: ReturnType<typeof AssignPayload.parse>, plan: Plan, work: ExecutionWork): void {
    if (work.stopped) return;
    plan.tasks.forEach((task, i) => {
      this.#p.generator.tell({
        type: 'load.start',
        request: {
          task: task.parameters,
          name: a.name,
          taskId: runIdOf(a.execution_id, i, this.#p.self),
          segment: a.segment,
          startAt: a.start_at,
          onDelta: (delta) => work.outbox.set(`${delta.run_id}#${delta.seq}`, { task: i, delta, ackedTerm: 0 }),
          onDone: () => work.finishedTasks++,
        },
        reply: () => undefined,
      });
    });
  }

  async #onResegment(r: ReturnType<typeof ResegmentPayload.parse>): Promise<{ accepted: boolean }> {
    this.#fence(r.term, 'resegment');
    const work = this.#work.get(r.execution_id);
    if (!work) return { accepted: false };
    work.lastContact = Date.now();
    if (r.version < work.segmentVersion) return { accepted: true }; // a newer split is already applied
    work.segmentVersion = r.version;
    await Promise.all(
      work.plan.tasks.map((_, i) =>
        ask<LoadGeneratorMessage, boolean>(this.#p.generator, (reply) => ({
          type: 'load.resegment',
          taskId: runIdOf(r.execution_id, i, this.#p.self),
          from: r.segment.from,
          to: r.segment.to,
          atMs: r.at,
          reply,
        })),
      ),
    );
    return { accepted: true };
  }

  async #onStop(s: ReturnType<typeof StopPayload.parse>): Promise<{ stopped: boolean }> {
    this.#fence(s.term, 'stop');
    this.#stopped.add(s.execution_id);
    const work = this.#work.get(s.execution_id);
    if (!work) return { stopped: false };
    await this.#stopRuns(s.execution_id, work);
    return { stopped: true };
  }

  async #stopRuns(executionId: string, work: ExecutionWork): Promise<void> {
    if (work.stopped) return;
    work.stopped = true;
    await Promise.allSettled(
      work.plan.tasks.map((_, i) =>
        ask<LoadGeneratorMessage, boolean>(this.#p.generator, (reply) => ({ type: 'load.stop', taskId: runIdOf(executionId, i, this.#p.self), reply })),
      ),
    );
  }

  /** Send every delta the coordinator in office has not acknowledged; forget executions fully acknowledged. */
  async #pump(): Promise<void> {
    if (this.#pumping || this.#work.size === 0) return;
    this.#pumping = true;
    try {
      const coordinator = await this.#p.coordinator().catch(() => null);
      const now = Date.now();
      for (const [executionId, work] of this.#work) {
        // Any coordinator in office counts as contact: a failover is not a reason to stop.
        if (coordinator) work.lastContact = Math.max(work.lastContact, now);
        if (coordinator) {
          for (const [key, out] of work.outbox) {
            if (out.ackedTerm >= coordinator.term) continue;
            try {
              const ack = (await this.#p.messenger.send(
                coordinator.node_id,
                KINDS.delta,
                { execution_id: executionId, task: out.task, node_id: this.#p.self, delta: out.delta },
                'reliable',
                { deadlineMs: 1_000 },
              )) as { status?: string } | undefined;
              out.ackedTerm = coordinator.term;
              // The execution is over (cancelled, or ended without us): stop what still runs here.
              if (ack?.status && ['completed', 'failed', 'cancelled'].includes(ack.status) && !work.stopped) await this.#stopRuns(executionId, work);
              work.lastContact = Date.now();
            } catch (error) {
              this.#p.log.debug('delta not acknowledged', { execution: executionId, delta: key, error });
              break;
            }
          }
        }
        const running = work.finishedTasks < work.plan.tasks.length;
        if (running && !work.stopped && now - work.lastContact > this.#p.orphanTimeoutMs) {
          this.#p.log.warn('no coordinator answered; stopping load', { execution: executionId, silent_ms: now - work.lastContact });
          await this.#stopRuns(executionId, work);
        }
        const allAcked = [...work.outbox.values()].every((o) => o.ackedTerm > 0);
        if (!running && allAcked && now - work.lastContact > 60_000) this.#work.delete(executionId);
      }
    } finally {
      this.#pumping = false;
    }
  }
}
