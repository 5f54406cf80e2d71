// When the sending loop next wakes. A timer set for d ms fires from about a millisecond early (Node counts
// from the event loop's cached clock, in whole milliseconds) to a millisecond or two late (the kernel's
// delays), later still while the loop handles a burst of responses (at 5,000 req/s), so a loop that slept
// until an arrival's due time sent it late by up to that much.
// It aims instead a little before the next arrival: that arrival is within the wake-up's send-ahead window
// and goes out with it, on time. Request deadlines, a backlog's lateness limit and the run's start and end
// are not arrivals: the loop wakes for those at their exact time.

/**
 * Arrivals due within this long after a wake-up go out with it (sent up to this much early, never late
 * for it): at 1,000 req/s one wake-up sends about seven arrivals instead of one, and the loop wakes
 * about one and a half times per 10 ms, so 10 ms bins stay even. A wake-up of an idle process costs more
 * than a request's CPU, and the responses to arrivals sent together come back together, to fewer
 * wake-ups. The loop wakes WAKE_LEAD_MS before the first of them, so a wake-up covers
 * SEND_AHEAD_MS − WAKE_LEAD_MS of arrivals after that first one (6 ms). Measured side by side
 * (scripts/bench/pacing.ts --root, one worker, 4 repetitions): against 7 ms, 9 ms cost 14 % less CPU at
 * 1,000 req/s (11 ms: 22 % less), the largest 10 ms bin 1.7-2.5x the mean. Not more: with the fault
 * suite's max_lateness of 40 ms a generator alone could then send over 1.05x a second's arrivals in one
 * second (test/faults/support/checks.ts).
 */
export const SEND_AHEAD_MS = 9;
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
 * Milliseconds to sleep from `now` (whole, from 1 to MAX_SLEEP_MS): until WAKE_LEAD_MS before the next
 * arrival's due time (Infinity: none), or until `exact` (anything else due), whichever is first. Rounded
 * up, so that it never wakes before either.
 */
export function sleepMs(now: number, arrival: number, exact: number): number {
  const at = Math.min(arrival - WAKE_LEAD_MS, exact);
  return Math.min(MAX_SLEEP_MS, Math.max(1, Math.ceil(at - now)));
}
