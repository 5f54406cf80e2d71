// A generator's hold on its share of one execution, as a pure reducer: the coordinator's verdicts on
// the words it sent renew a lease (src/execution/share-lease.ts); while the lease has lapsed the share
// is paused (its run sends nothing: held-spans.ts), a later `held` verdict resumes it, and `moved` or
// `ended` stops it for good. Times are epoch ms of the generator's clock.
import { LEASE_MS, SILENT_MS, type ShareVerdict } from '../../src/execution/share-lease.js';

export interface Hold {
  /** The lease runs until this (0: never held yet: a share is driven only after a first `held` verdict). */
  until: number;
  /** Arrivals due before this are surely this generator's own: no coordinator can have moved them (0: none yet). */
  sure: number;
  /** Since when the lease has lapsed while load was scheduled (undefined: not paused). */
  pausedSince?: number;
  /** A verdict said the share is not this generator's any more. */
  over: boolean;
}

export type HoldEvent =
  /** The answer to a word sent at `sentAt`, heard at `now`; `movedAt`: when a moved share stopped being its own. */
  | { type: 'verdict'; now: number; sentAt: number; share: ShareVerdict; movedAt?: number }
  /** Time passes; `scheduled`: this generator's load is due now (between its start and its end, not stopped). */
  | { type: 'tick'; now: number; scheduled: boolean };

export type HoldEffect =
  /** The run may send in [from, until) (empty when heard too late), and arrivals due before `sure` are its own. */
  | { type: 'grant'; from: number; until: number; sure: number }
  | { type: 'paused'; since: number }
  | { type: 'resumed'; pausedMs: number }
  /** Stop for good; `movedAt`: arrivals due before it were this generator's, those from it on never were. */
  | { type: 'stop'; reason: string; movedAt?: number };

export const initialHold = (): Hold => ({ until: 0, sure: 0, over: false });

export function holdStep(hold: Hold, e: HoldEvent): { hold: Hold; effects: HoldEffect[] } {
  if (hold.over) return { hold, effects: [] };
  switch (e.type) {
    case 'verdict': {
      if (e.share === 'moved' || e.share === 'ended') {
        // Ended, nothing of it is anyone else's: what fell due until now was its own.
        const ownUntil = e.share === 'ended' ? e.now : e.movedAt;
        const stop: HoldEffect = { type: 'stop', reason: e.share === 'moved' ? 'share moved to others' : 'execution over', ...(ownUntil !== undefined ? { movedAt: ownUntil } : {}) };
        return { hold: { ...hold, pausedSince: undefined, over: true }, effects: [stop] };
      }
      if (e.share === 'unknown') return { hold, effects: [] };
      // Counted from the sending: the coordinator's silence runs from its receipt, which is never earlier.
      const until = e.sentAt + LEASE_MS;
      // Heard `held`, the coordinator cannot move the share before SILENT_MS after this word was sent.
      const sure = e.sentAt + SILENT_MS;
      if (sure <= hold.sure) return { hold, effects: [] };
      const effects: HoldEffect[] = [{ type: 'grant', from: e.now, until: Math.max(until, e.now), sure }];
      if (until <= e.now) return { hold: { ...hold, sure }, effects }; // too late to drive, not to vouch
      if (hold.pausedSince !== undefined) effects.push({ type: 'resumed', pausedMs: e.now - hold.pausedSince });
      return { hold: { until: Math.max(until, hold.until), sure, over: false }, effects };
    }
    case 'tick': {
      if (!e.scheduled || hold.pausedSince !== undefined || e.now < hold.until) return { hold, effects: [] };
      const since = Math.max(hold.until, 0) || e.now;
      return { hold: { ...hold, pausedSince: since }, effects: [{ type: 'paused', since }] };
    }
  }
}
