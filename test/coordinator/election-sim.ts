// A simulated cluster for the election logic: one global clock, message delays, loss, crashes,
// restarts and partitions; properties are checked after every step.
import {
  DEFAULT_ELECTION_TIMING,
  inOffice,
  maxLease,
  initialState,
  nextTick,
  step,
  type DurableElectionState,
  type ElectionMessage,
  type ElectionState,
} from '../../actors/coordinator/election.js';
import { mulberry32 } from '../../src/schedule/patterns.js';

export type Action =
  | { kind: 'crash'; node: number }
  /** Frozen (SIGSTOP): keeps its state, does nothing, and what was sent to it waits for it. */
  | { kind: 'pause'; node: number }
  | { kind: 'resume'; node: number }
  | { kind: 'restart'; node: number }
  | { kind: 'partition'; side: number[] }
  | { kind: 'heal' }
  | { kind: 'loss'; rate: number }
  | { kind: 'delay'; maxMs: number }
  /** Executions start or stop relying on the lease (every peer is told; only a coordinator acts on it). */
  | { kind: 'pace'; busy: boolean };

export interface ScheduledAction {
  at: number;
  action: Action;
}

/** The same seeded PRNG the load patterns use. */
export const prng = mulberry32;

interface InFlight {
  at: number;
  from: string;
  to: string;
  message: ElectionMessage;
}

export const TIMING = DEFAULT_ELECTION_TIMING;
const TICK_MS = 10;

export class ElectionSim {
  readonly ids: string[];
  readonly up: boolean[];
  readonly paused: boolean[];
  readonly states: (ElectionState | undefined)[];
  readonly durable: DurableElectionState[];
  now = 0;
  side: Set<string> | null = null;
  /** When the current partition began. */
  partitionedAt = 0;
  lossRate = 0;
  maxDelayMs = 20;
  /** Whether executions rely on the lease (told to peers that start or restart too). */
  busy = false;
  readonly leaderOfTerm = new Map<number, string>();
  readonly violations: string[] = [];
  /** Times at which some node was in office. */
  lastInOffice = -Infinity;
  #inFlight: InFlight[] = [];
  readonly #random: () => number;
  readonly #highestTerm: number[];
  /** When each node's next tick is due (nextTick after its last step). */
  readonly #wake: number[];
  /**
   * 'sleep': a node ticks only once its nextTick is due (how the coordinator actor drives it);
   * 'every': every node ticks every step, and a tick before its nextTick that changes anything is a violation.
   */
  readonly ticks: 'sleep' | 'every';

  constructor(size: number, seed: number, options: { ticks?: 'sleep' | 'every' } = {}) {
    this.ticks = options.ticks ?? 'every';
    this.ids = Array.from({ length: size }, (_, i) => `n${i}`);
    this.#random = prng(seed);
    this.up = this.ids.map(() => true);
    this.paused = this.ids.map(() => false);
    this.durable = this.ids.map(() => ({ term: 0, votedFor: null }));
    this.#highestTerm = this.ids.map(() => 0);
    this.states = this.ids.map((id, i) => initialState(id, this.durable[i]!, this.ids, 0, TIMING, this.#random));
    this.#wake = this.states.map((s) => nextTick(s!, 0, TIMING));
  }

  apply(action: Action): void {
    switch (action.kind) {
      case 'crash':
        this.up[action.node] = false;
        this.states[action.node] = undefined;
        break;
      case 'pause':
        this.paused[action.node] = true;
        break;
      case 'resume':
        if (!this.paused[action.node]) break;
        this.paused[action.node] = false;
        // A woken process runs its overdue timers before it reads what waited on its sockets.
        if (this.up[action.node]) this.#step(action.node, { type: 'tick', now: this.now });
        break;
      case 'restart':
        if (this.up[action.node]) break;
        this.up[action.node] = true;
        this.states[action.node] = { ...initialState(this.ids[action.node]!, this.durable[action.node]!, this.ids, this.now, TIMING, this.#random), busy: this.busy };
        this.#wake[action.node] = nextTick(this.states[action.node]!, this.now, TIMING);
        break;
      case 'partition':
        this.side = new Set(action.side.map((i) => this.ids[i]!));
        this.partitionedAt = this.now;
        // Links are cut: what was in flight across them is lost.
        this.#inFlight = this.#inFlight.filter((m) => this.#linked(m.from, m.to));
        break;
      case 'heal':
        this.side = null;
        break;
      case 'loss':
        this.lossRate = action.rate;
        break;
      case 'delay':
        this.maxDelayMs = action.maxMs;
        break;
      case 'pace':
        this.busy = action.busy;
        for (let i = 0; i < this.ids.length; i++) if (this.up[i] && this.states[i]) this.#step(i, { type: 'pace', now: this.now, busy: action.busy });
        break;
    }
  }

  /** Run until `until`, applying scheduled actions on the way and checking properties after each step. */
  run(until: number, schedule: readonly ScheduledAction[] = []): void {
    const pending = schedule.length > 0 ? [...schedule].sort((a, b) => a.at - b.at) : schedule;
    let next = 0;
    while (this.now < until) {
      this.now += TICK_MS;
      while (next < pending.length && pending[next]!.at <= this.now) this.apply(pending[next++]!.action);
      // Messages due now to a running node, in the order they are due (the sort is stable), the rest kept.
      const due: InFlight[] = [];
      const waiting: InFlight[] = [];
      for (const m of this.#inFlight) (m.at <= this.now && !this.paused[this.#index(m.to)] ? due : waiting).push(m);
      this.#inFlight = waiting;
      due.sort((a, b) => a.at - b.at);
      for (const m of due) {
        const i = this.#index(m.to);
        if (this.up[i] && this.#linked(m.from, m.to)) this.#step(i, { type: 'receive', now: this.now, from: m.from, message: m.message });
      }
      for (let i = 0; i < this.ids.length; i++) {
        if (!this.up[i] || this.paused[i]) continue;
        if (this.ticks === 'sleep' && this.now < this.#wake[i]!) continue;
        this.#step(i, { type: 'tick', now: this.now });
      }
      this.#check();
    }
  }

  inOfficeNow(): string[] {
    return this.ids.filter((_, i) => this.up[i] && !this.paused[i] && this.states[i] && inOffice(this.states[i]!, this.now));
  }

  onMinority(id: string): boolean {
    if (!this.side) return false;
    const mine = this.side.has(id) ? this.side.size : this.ids.length - this.side.size;
    return mine < Math.floor(this.ids.length / 2) + 1;
  }

  /** Ids are n0, n1, ...: the index is the number. */
  #index(id: string): number {
    return Number(id.slice(1));
  }

  #linked(a: string, b: string): boolean {
    return !this.side || this.side.has(a) === this.side.has(b);
  }

  #step(i: number, event: Parameters<typeof step>[1]): void {
    const before = this.states[i]!;
    const { state, effects } = step(before, event, TIMING, this.#random);
    if (event.type === 'tick' && event.now < this.#wake[i]! && (state !== before || effects.length > 0)) {
      this.violations.push(`t=${this.now}: ${before.self} ticked before its nextTick (${this.#wake[i]}) and something changed`);
    }
    this.states[i] = state;
    this.#wake[i] = nextTick(state, this.now, TIMING);
    for (const effect of effects) {
      switch (effect.type) {
        case 'persist':
          this.durable[i] = { ...effect.state };
          break;
        case 'send':
          if (this.#random() < this.lossRate) break;
          if (!this.#linked(state.self, effect.to)) break;
          this.#inFlight.push({ at: this.now + 1 + Math.floor(this.#random() * this.maxDelayMs), from: state.self, to: effect.to, message: effect.message });
          break;
        case 'role':
          if (effect.role === 'coordinator') {
            const prior = this.leaderOfTerm.get(effect.term);
            if (prior && prior !== state.self) this.violations.push(`t=${this.now}: two coordinators in term ${effect.term}: ${prior} and ${state.self}`);
            this.leaderOfTerm.set(effect.term, state.self);
            if (this.side && this.now - this.partitionedAt > this.maxDelayMs && this.onMinority(state.self)) {
              this.violations.push(`t=${this.now}: ${state.self} became coordinator on a minority side`);
            }
          }
          break;
      }
    }
    if (state.term < this.#highestTerm[i]!) this.violations.push(`t=${this.now}: ${state.self}'s term went back from ${this.#highestTerm[i]} to ${state.term}`);
    this.#highestTerm[i] = Math.max(this.#highestTerm[i]!, state.term);
  }

  #check(): void {
    const office = this.inOfficeNow();
    if (office.length > 1) this.violations.push(`t=${this.now}: ${office.join(' and ')} in office at once`);
    if (office.length > 0) this.lastInOffice = this.now;
    for (const id of office) {
      if (this.side && this.onMinority(id) && this.now - this.partitionedAt > maxLease(TIMING) + TICK_MS) {
        this.violations.push(`t=${this.now}: ${id} still in office on a minority side`);
      }
    }
  }
}
