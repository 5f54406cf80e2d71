// One step of the lifecycle in progress: a working copy of the state that the rules change, and the
// effects they ask for. The state it started from is never touched; `finish` seals the new one and
// writes out every execution document changed in the step, once, with its version raised once.
import type { ExecutionDoc } from '../../../src/execution/contract.js';
import type { AcknowledgedMode } from '../../../src/protocol/peer-messenger.js';
import type { Command, LifecycleDeps, LifecycleEffect, LifecycleState, LiveExecution, LogLevel, PendingSend, Phase } from './model.js';

export class Turn {
  readonly effects: LifecycleEffect[] = [];
  readonly self: string;
  phase: Phase;
  term: number;
  readonly executions: Map<string, LiveExecution>;
  readonly sends: Map<number, PendingSend>;
  nextSendId: number;
  generators: readonly string[];
  members: LifecycleState['members'];
  /** Executions whose document changed in this step (their doc is this step's own copy). */
  readonly #edited = new Set<string>();
  readonly #ended = new Set<string>();

  constructor(
    base: LifecycleState,
    readonly now: number,
    readonly deps: LifecycleDeps,
  ) {
    this.self = base.self;
    this.phase = base.phase;
    this.term = base.term;
    this.executions = new Map(base.executions);
    this.sends = new Map(base.sends);
    this.nextSendId = base.nextSendId;
    this.generators = base.generators;
    this.members = base.members;
  }

  live(id: string): LiveExecution | undefined {
    return this.executions.get(id);
  }

  /** Replace what is kept of a live execution (its doc must not be edited after this, but through `doc`). */
  put(id: string, live: LiveExecution): void {
    this.executions.set(id, live);
  }

  /**
   * The document of a live execution, writable for the rest of this step. The first edit in a step
   * copies it and raises its version, so a resegment sent in this step carries the version stored.
   */
  doc(id: string): ExecutionDoc {
    const live = this.executions.get(id);
    if (!live) throw new Error(`no live execution ${id}`);
    if (this.#edited.has(id)) return live.doc;
    const doc: ExecutionDoc = { ...live.doc, assignments: live.doc.assignments.map((a) => ({ ...a, segment: { ...a.segment } })) };
    doc.term = this.term;
    doc.coordinator = this.self;
    doc.version += 1;
    this.executions.set(id, { ...live, doc });
    this.#edited.add(id);
    return doc;
  }

  /** The execution ended in this step: its write carries the final report. */
  ended(id: string): void {
    this.#ended.add(id);
  }

  /** Documents dropped from the live ones in this step: an ended one is still written out. */
  readonly #dropped = new Map<string, ExecutionDoc>();

  /** The newest document of an execution touched in this step, live or just dropped. */
  docOf(id: string): ExecutionDoc | undefined {
    return this.executions.get(id)?.doc ?? this.#dropped.get(id);
  }

  drop(id: string): void {
    const live = this.executions.get(id);
    if (live) this.#dropped.set(id, live.doc);
    this.executions.delete(id);
  }

  send(executionId: string, node: string, command: Command, mode: AcknowledgedMode, deadlineMs: number, purpose: PendingSend['purpose'], retriesLeft: number): number {
    const id = this.nextSendId++;
    this.sends.set(id, { executionId, node, command, mode, purpose, retriesLeft });
    this.effects.push({ type: 'send', id, to: node, command, mode, deadlineMs });
    return id;
  }

  schedule(key: string, at: number): void {
    this.effects.push({ type: 'schedule', key, at });
  }

  log(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
    this.effects.push({ type: 'log', level, message, fields });
  }

  finish(): LifecycleState {
    for (const id of this.#edited) {
      const doc = this.executions.get(id)?.doc ?? this.#dropped.get(id);
      if (!doc) continue;
      if (this.#ended.has(id)) this.effects.push({ type: 'end-report', doc });
      this.effects.push({ type: 'persist', doc }, { type: 'replicate', doc });
    }
    return {
      self: this.self,
      phase: this.phase,
      term: this.term,
      executions: this.executions,
      sends: this.sends,
      nextSendId: this.nextSendId,
      generators: this.generators,
      members: this.members,
    };
  }
}
