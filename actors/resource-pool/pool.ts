// The cluster's allocation table as a pure reducer, run by the coordinator in office.
//
// Placement rule: if one node can hold the whole request, it goes to the node that keeps the largest
// free fraction of the requested types afterwards (worst fit, which spreads allocations); otherwise
// each type is taken from the nodes with the most free first. All or nothing: a request is granted
// whole or waits; it never holds a part. Waiting requests are served highest priority first (then
// oldest); a smaller one may pass a larger one that does not fit yet. A request larger than the
// whole cluster's capacity is refused at once; others are refused when their deadline passes.
import type { Allocation, Shortfall } from '../../src/resources.js';
import { unitOf } from '../../src/resources.js';

type Amounts = Record<string, number>;

export interface Waiting {
  allocation_id: string;
  requester_id: string;
  holder: string;
  priority: number;
  ttl: number | null;
  /** In base units. */
  resources: { type: string; amount: number }[];
  enqueued_at: number;
  deadline: number;
  order: number;
  /** Exactly where it must sit (node → type → amount), as an execution's placed scenario needs. */
  pin?: Record<string, Amounts> | undefined;
}

export interface PoolState {
  capacity: Record<string, Amounts>;
  allocations: Record<string, Allocation>;
  waiting: Waiting[];
  order: number;
}

export type PoolEvent =
  | { type: 'capacity'; now: number; node: string; capacity: Amounts }
  | { type: 'node.lost'; node: string; now: number }
  | { type: 'request'; now: number; request: Omit<Waiting, 'enqueued_at' | 'order'> }
  | { type: 'release'; now: number; allocation_id: string }
  | { type: 'tick'; now: number }
  /** The ttl sweep (every `cleanup_interval`). */
  | { type: 'expire'; now: number };

export type PoolEffect =
  | { type: 'granted'; allocation: Allocation }
  | { type: 'refused'; allocation_id: string; reason: string; shortfall: Shortfall[] }
  | { type: 'released'; allocation: Allocation; reason: 'released' | 'expired' | 'holder lost' | 'node lost' }
  | { type: 'unknown'; allocation_id: string };

const EPSILON = 1e-9;

export function emptyPool(): PoolState {
  return { capacity: {}, allocations: {}, waiting: [], order: 0 };
}

export function freeByNode(state: Pick<PoolState, 'capacity' | 'allocations'>): Record<string, Amounts> {
  const free: Record<string, Amounts> = {};
  for (const [node, cap] of Object.entries(state.capacity)) free[node] = { ...cap };
  for (const a of Object.values(state.allocations)) {
    for (const [node, amounts] of Object.entries(a.placement)) {
      const f = (free[node] ??= {});
      for (const [type, amount] of Object.entries(amounts)) f[type] = (f[type] ?? 0) - amount;
    }
  }
  return free;
}

const only = (by: Record<string, Amounts>, pin: Record<string, Amounts>) => Object.fromEntries(Object.keys(pin).map((n) => [n, by[n] ?? {}]));

const total = (by: Record<string, Amounts>, type: string) => Object.values(by).reduce((s, a) => s + Math.max(0, a[type] ?? 0), 0);

function shortfallOf(resources: Waiting['resources'], by: Record<string, Amounts>): Shortfall[] {
  return resources
    .map(({ type, amount }) => ({ type, unit: unitOf(type), requested: amount, available: total(by, type), missing: 0 }))
    .map((s) => ({ ...s, missing: Math.max(0, s.requested - s.available) }))
    .filter((s) => s.missing > EPSILON);
}

/** Per pinned node, what it lacks: `gpu on n1: needs 1, 0 free`. */
function pinShortfall(pin: Record<string, Amounts>, by: Record<string, Amounts>): string[] {
  return Object.entries(pin).flatMap(([node, amounts]) =>
    Object.entries(amounts)
      .filter(([type, amount]) => (by[node]?.[type] ?? 0) + EPSILON < amount)
      .map(([type, amount]) => `${type} on ${node}: needs ${amount}, ${Math.max(0, by[node]?.[type] ?? 0)} free`),
  );
}

/** Where a request fits now, or undefined. */
export function place(resources: Waiting['resources'], free: Record<string, Amounts>, pin?: Record<string, Amounts>): Record<string, Amounts> | undefined {
  if (pin) return pinShortfall(pin, free).length === 0 ? pin : undefined;
  const nodes = Object.keys(free).sort();
  const whole = nodes.filter((n) => resources.every(({ type, amount }) => (free[n]![type] ?? 0) + EPSILON >= amount));
  if (whole.length > 0) {
    const left = (n: string) => Math.min(...resources.map(({ type, amount }) => ((free[n]![type] ?? 0) - amount) / Math.max(EPSILON, free[n]![type] ?? 0)));
    const best = whole.reduce((a, b) => (left(b) > left(a) + EPSILON ? b : a));
    return { [best]: Object.fromEntries(resources.map(({ type, amount }) => [type, amount])) };
  }
  const placement: Record<string, Amounts> = {};
  for (const { type, amount } of resources) {
    let needed = amount;
    const byFree = nodes.filter((n) => (free[n]![type] ?? 0) > EPSILON).sort((a, b) => free[b]![type]! - free[a]![type]! || (a < b ? -1 : 1));
    for (const n of byFree) {
      if (needed <= EPSILON) break;
      const take = Math.min(needed, free[n]![type]!);
      (placement[n] ??= {})[type] = take;
      needed -= take;
    }
    if (needed > EPSILON) return undefined;
  }
  return placement;
}

function grant(state: PoolState, w: Waiting, placement: Record<string, Amounts>, now: number): Allocation {
  const allocation: Allocation = {
    allocation_id: w.allocation_id,
    requester_id: w.requester_id,
    holder: w.holder,
    resources: w.resources.map(({ type, amount }) => ({ type, amount, unit: unitOf(type) })),
    priority: w.priority,
    ttl: w.ttl,
    granted_at: now,
    expires_at: w.ttl === null ? null : Math.round(now + w.ttl * 1000),
    placement,
  };
  state.allocations[w.allocation_id] = allocation;
  return allocation;
}

/** Serve waiting requests in priority order; refuse those past their deadline. */
function serve(state: PoolState, now: number, effects: PoolEffect[]): void {
  state.waiting.sort((a, b) => b.priority - a.priority || a.order - b.order);
  const still: Waiting[] = [];
  for (const w of state.waiting) {
    const free = freeByNode(state);
    const placement = place(w.resources, free, w.pin);
    if (placement) effects.push({ type: 'granted', allocation: grant(state, w, placement, now) });
    else if (now >= w.deadline) {
      const where = w.pin ? ` (${pinShortfall(w.pin, free).join('; ')})` : '';
      effects.push({ type: 'refused', allocation_id: w.allocation_id, reason: `not enough free resources before the allocation timeout${where}`, shortfall: shortfallOf(w.resources, w.pin ? only(free, w.pin) : free) });
    }
    else still.push(w);
  }
  state.waiting = still;
}

function releaseWhere(state: PoolState, test: (a: Allocation) => boolean, effects: PoolEffect[], reason: 'expired' | 'holder lost' | 'node lost'): void {
  for (const a of Object.values(state.allocations)) {
    if (test(a)) {
      delete state.allocations[a.allocation_id];
      effects.push({ type: 'released', allocation: a, reason });
    }
  }
}

export function reducePool(prev: PoolState, event: PoolEvent): { state: PoolState; effects: PoolEffect[] } {
  const state: PoolState = { capacity: { ...prev.capacity }, allocations: { ...prev.allocations }, waiting: [...prev.waiting], order: prev.order };
  const effects: PoolEffect[] = [];
  switch (event.type) {
    case 'capacity':
      state.capacity[event.node] = { ...event.capacity };
      break;
    case 'node.lost':
      delete state.capacity[event.node];
      releaseWhere(state, (a) => a.holder === event.node, effects, 'holder lost');
      releaseWhere(state, (a) => event.node in a.placement, effects, 'node lost');
      state.waiting = state.waiting.filter((w) => {
        if (w.holder !== event.node) return true;
        effects.push({ type: 'refused', allocation_id: w.allocation_id, reason: 'the requesting node was lost', shortfall: [] });
        return false;
      });
      break;
    case 'request': {
      const r = event.request;
      const existing = state.allocations[r.allocation_id];
      if (existing) return { state: prev, effects: [{ type: 'granted', allocation: existing }] };
      if (state.waiting.some((w) => w.allocation_id === r.allocation_id)) return { state: prev, effects: [] };
      const beyond = r.pin ? pinShortfall(r.pin, state.capacity) : shortfallOf(r.resources, state.capacity).map((s) => s.type);
      if (beyond.length > 0) {
        const reason = r.pin ? `more than the nodes it is placed on have (${beyond.join('; ')})` : 'more than the whole cluster has';
        effects.push({ type: 'refused', allocation_id: r.allocation_id, reason, shortfall: shortfallOf(r.resources, r.pin ? only(freeByNode(state), r.pin) : freeByNode(state)) });
        break;
      }
      state.waiting.push({ ...r, enqueued_at: event.now, order: state.order++ });
      break;
    }
    case 'release': {
      const a = state.allocations[event.allocation_id];
      if (!a) return { state: prev, effects: [{ type: 'unknown', allocation_id: event.allocation_id }] };
      delete state.allocations[event.allocation_id];
      effects.push({ type: 'released', allocation: a, reason: 'released' });
      break;
    }
    case 'tick':
      break;
    case 'expire':
      releaseWhere(state, (a) => a.expires_at !== null && a.expires_at <= event.now, effects, 'expired');
      break;
  }
  serve(state, event.now, effects);
  return { state, effects };
}
