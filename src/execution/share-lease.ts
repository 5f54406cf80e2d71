// How a generator holds its share, shared by both sides, so that at most one peer drives a share at any
// moment (fencing by lease).
//
// The generator: every word it sends the coordinator (a delta, or a renewal every RENEW_MS when it has
// nothing new) is answered with a verdict on its share. A `held` verdict for a word SENT at s gives it
// the share until s + LEASE_MS; past that it PAUSES: it sends nothing, counts the arrivals due meanwhile
// as dropped, and keeps renewing. The next `held` verdict resumes it from the current schedule position
// (what fell due while paused stays dropped); `moved` or `ended` stops it.
//
// The coordinator: it answers `held` only while this generator's assignment is active in the execution
// it drives (a new coordinator knows the assignments from the replicated documents it gathered), and
// only while in office (a deposed one answers nothing). It moves a share only once it has not heard from
// its generator for SILENT_MS, counted from when it RECEIVED the last word; whatever the reason to move
// (silence, or membership calling the peer dead: silence.ts). The last word was received no earlier
// than it was sent, so the share moves no earlier than s + SILENT_MS for any s the generator's lease
// runs from: the generator has paused SILENT_MS - LEASE_MS before. A new coordinator counts silence from
// its takeover, which comes after the old office ended, and the old one vouched only while in office.
// The load workers enforce the lease themselves (each verdict is a span of time they may send in), so
// the margin is not spent on the main thread's lag; it covers requests already on their way at the
// pause, the sending loop's 20 ms sleeps and the clocks' rates (only intervals are compared, each on its
// own clock, so the clocks' offsets do not matter).
//
// Counting: an arrival that falls due while paused is surely the generator's own if due before
// s + SILENT_MS (s: the last word vouched for), and then counted as dropped; a later one is kept aside
// until a `held` verdict (its own) or the `moved` verdict's moment (others' from then on) tells whose it
// was, so that no arrival is counted on two generators.
//
// Why a pause and not a stop: an earlier lease stopped a generator for good when its deltas went
// unacknowledged for 2-3 s. On a loaded 2-core machine the coordinator lost office for seconds with no
// fault (election churn) and every generator stopped at once. A paused generator loses only what fell
// due while no coordinator could vouch for it (counted as dropped) and resumes when one does.
import { z } from 'zod';

/** A generator heard from no more recently than this loses its share (and LEASE_MS < SILENT_MS: see above). */
export const SILENT_MS = 1_500;
/** A `held` verdict on a word sent at s lets its generator drive its share until s + LEASE_MS. */
export const LEASE_MS = 1_000;
/** A generator with nothing new to send renews this often while its load is scheduled. */
export const RENEW_MS = 250;
/** How long past its end a fenced run waits (renewing) to learn whose the arrivals it kept aside were. */
export const UNSURE_WAIT_MS = SILENT_MS + 1_000;
/** A run's first delta is cut a second after the start: no delta is owed before. */
export const FIRST_DELTA_MS = 1_000;

/**
 * The coordinator's verdict on a generator's share, in its answer to every delta and renewal.
 * held: still this generator's (the lease runs on); moved: failed over to others, or never its own
 * (stop); ended: the execution or this generator's part of it is over (stop); unknown: this coordinator
 * cannot tell (an execution it does not know), so no lease, but no stop either.
 */
export const ShareVerdictSchema = z.enum(['held', 'moved', 'ended', 'unknown']);
export type ShareVerdict = z.infer<typeof ShareVerdictSchema>;
