// When the sending loop next wakes. A timer set for d ms fires from about a millisecond early (Node counts
// from the event loop's cached clock, in whole milliseconds) to a millisecond or two late (the kernel's
// delays), later still while the loop handles a burst of responses (at 5,000 req/s), so a loop that slept
// until an arrival's due time sent it late by up to that much.
// It aims instead a little before the next arrival: that arrival is within the wake-up's send-ahead window
// and goes out with it, on time. Request deadlines, a backlog's lateness limit and the run's start and end
// are not arrivals: the loop wakes for those at their exact time.

/**
 * Arrivals due within this long after a wake-up go out with it (sent up to this much early, never late
 * for it): at 1,000 req/s one wake-up sends about nine arrivals instead of one, and the loop wakes about
 * every 9 ms, so 10 ms bins stay even (one wake-up in most, two in some, rarely none). A wake-up of an
 * idle process costs more than a request's CPU, and the responses to arrivals sent together come back
 * together, to fewer wake-ups. The loop wakes WAKE_LEAD_MS before the first of them, so a wake-up covers
 * SEND_AHEAD_MS − WAKE_LEAD_MS of arrivals after that first one (8 ms). Measured side by side
 * (scripts/bench/pacing.ts --root, 4 repetitions, 1,000 req/s, before the lead followed WakeSchedule):
 * against 9 ms, 11 ms cost 15 % less CPU on the main thread and 16 % less on one worker (5 % as
 * `node peer.js run`), the largest 10 ms bin 2.0-2.1x the mean, 0.1-0.4 % of bins empty; earlier, 9 ms
 * cost 14 % less than 7. Not more: a wake-up would then cover 10 ms or more, and 10 ms bins would fall
 * empty between wake-ups. With the fault suite's max_lateness of 35 ms a generator alone sends at most
 * 1.046x a second's arrivals in one second (test/faults/support/checks.ts).
 */
export const SEND_AHEAD_MS = 11;
/**
 * How long before the next arrival the loop aims its wake-up. A timer firing a millisecond early still
 * finds that arrival within SEND_AHEAD_MS (it never wakes for nothing), and one firing up to this much
 * late still sends it on time. Measured (scripts/bench/pacing.ts, 5,000 req/s on the loop's own thread,
 * an idle machine): sender lateness p99 about 5 ms waking at the arrival, 2-3 ms with 2 ms, under 1 ms with 3.
 */
export const WAKE_LEAD_MS = 3;
/** The longest the loop sleeps: it also notices the end of a drain this often. */
export const MAX_SLEEP_MS = 20;

/**
 * Milliseconds to sleep from `now` (whole, from 1 to MAX_SLEEP_MS): until WAKE_LEAD_MS (and `extraLeadMs`:
 * WakeSchedule) before the next arrival's due time (Infinity: none), or until `exact` (anything else
 * due), whichever is first. Rounded up, so that it never wakes before either.
 */
export function sleepMs(now: number, arrival: number, exact: number, extraLeadMs = 0): number {
  const at = Math.min(arrival - WAKE_LEAD_MS - extraLeadMs, exact);
  return Math.min(MAX_SLEEP_MS, Math.max(1, Math.ceil(at - now)));
}

/** The most WakeSchedule adds to the lead for late timers, and the most one wake-up's lateness counts for. */
export const MAX_EXTRA_LEAD_MS = 4;

/**
 * The sending loop's sleeps (sleepMs), aimed earlier by how late its timers have been firing: a running
 * mean over about the last eight wake-ups (each counted from 0 to MAX_EXTRA_LEAD_MS late: an early one as
 * on time, a stall as no more than that), added to the lead. A wake-up covers the arrivals up to
 * SEND_AHEAD_MS after it, and the next one comes that much later than the last, less the lead, plus how
 * late its timer fires: timers late by a millisecond or more on a busy machine would otherwise space the
 * wake-ups 10 ms or more apart and leave 10 ms bins of arrivals empty. Aiming earlier by their lateness
 * keeps them about 9 ms apart at 1,000 req/s when it is steady, and leaves few bins empty when it is not
 * (test/load-generator/open-model.test.ts).
 */
export class WakeSchedule {
  #meanLateMs = 0;
  #armedFor = Infinity;

  /** When the last sleep aimed to wake (performance.now() ms; Infinity before the first). */
  get armedFor(): number {
    return this.#armedFor;
  }

  /** The loop woke at `now`: how late its timer was counts towards the next sleeps' lead. */
  woke(now: number): void {
    const lateMs = now - this.#armedFor;
    this.#meanLateMs += (Math.min(MAX_EXTRA_LEAD_MS, Math.max(0, lateMs)) - this.#meanLateMs) / 8;
  }

  /** sleepMs from `now`, the lead lengthened by the timers' lateness; remembers when it aims to wake. */
  sleep(now: number, arrival: number, exact: number): number {
    const ms = sleepMs(now, arrival, exact, this.#meanLateMs);
    this.#armedFor = now + ms;
    return ms;
  }
}
