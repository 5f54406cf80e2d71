// Seeded fault schedules and their injection into an NsCluster: kill -9 and restart, SIGSTOP and SIGCONT,
// a minority partition, a bridge partition (two sides that only one peer sees both of), loss and a slow
// control plane on one peer.
import { mulberry32 } from '../../../src/schedule/patterns.js';
import type { NsCluster } from './ns-cluster.js';

export const FAULT_KINDS = ['kill', 'stop', 'partition', 'bridge', 'loss', 'slow'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  kind: FaultKind;
  /** Milliseconds after the execution's start. */
  at: number;
  lasts: number;
  /** Whom it hits: the coordinator at the time, or a generator. */
  victim: 'coordinator' | 'generator';
}

export interface Schedule {
  seed: number;
  faults: Fault[];
}

/** One to three faults in sequence (each heals before the next), inside the run's `durationMs`. */
export function makeSchedule(seed: number, durationMs: number, kinds: readonly FaultKind[] = FAULT_KINDS): Schedule {
  const rng = mulberry32(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)]!;
  const faults: Fault[] = [];
  let t = 500 + Math.floor(rng() * 1500);
  const count = 1 + Math.floor(rng() * 3);
  for (let k = 0; k < count && t < durationMs - 1500; k++) {
    const lasts = 1500 + Math.floor(rng() * 3500);
    faults.push({ kind: pick(kinds), at: t, lasts, victim: rng() < 0.4 ? 'coordinator' : 'generator' });
    t += lasts + 500 + Math.floor(rng() * 1500);
  }
  return { seed, faults };
}

/** What an injected fault was, in words, and how to undo it. */
export interface Injected {
  what: string;
  heal(): Promise<void>;
}

function shuffle<T>(xs: T[], rng: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

export async function inject(cluster: NsCluster, fault: Fault, coordinator: number, rng: () => number): Promise<Injected> {
  const n = cluster.size;
  const others = [...Array(n).keys()].filter((i) => i !== coordinator);
  const victim = fault.victim === 'coordinator' || others.length === 0 ? coordinator : others[Math.floor(rng() * others.length)]!;
  const { net } = cluster;
  switch (fault.kind) {
    case 'kill': {
      await cluster.peers[victim]?.kill('SIGKILL');
      return { what: `kill -9 peer ${victim}`, heal: async () => void (await cluster.restart(victim)) };
    }
    case 'stop': {
      cluster.peers[victim]?.child.kill('SIGSTOP');
      return { what: `SIGSTOP peer ${victim}`, heal: async () => void cluster.peers[victim]?.child.kill('SIGCONT') };
    }
    case 'partition': {
      const minority = shuffle([...Array(n).keys()].filter((i) => i !== victim), rng).slice(0, Math.floor((n - 1) / 2) - 1);
      const side = [victim, ...minority];
      const rest = [...Array(n).keys()].filter((i) => !side.includes(i));
      for (const i of side) net.cut(i, rest);
      for (const j of rest) net.cut(j, side);
      return { what: `partition [${side.join(',')}] | [${rest.join(',')}]`, heal: async () => net.healAll() };
    }
    case 'bridge': {
      // The victim sees both sides; the sides do not see each other.
      const rest = shuffle([...Array(n).keys()].filter((i) => i !== victim), rng);
      const a = rest.slice(0, Math.ceil(rest.length / 2));
      const b = rest.slice(a.length);
      for (const i of a) net.cut(i, b);
      for (const j of b) net.cut(j, a);
      return { what: `bridge partition [${a.join(',')}] | [${b.join(',')}] through ${victim}`, heal: async () => net.healAll() };
    }
    case 'loss': {
      const percent = 20 + Math.floor(rng() * 30);
      net.lose(victim, percent);
      return { what: `${percent}% loss at peer ${victim}`, heal: async () => net.heal(victim) };
    }
    case 'slow': {
      const how = net.slow(victim, 100 + Math.floor(rng() * 200), 64);
      return { what: `slow control plane at peer ${victim} (${how})`, heal: async () => net.heal(victim) };
    }
  }
}
