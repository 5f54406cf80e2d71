// How a generator keeps its share, shared by both sides. The coordinator moves the share of a generator
// it has not heard from for SILENT_MS (a frozen peer keeps its connections, so membership still says it
// is alive). A generator with nothing new to send sends its newest delta again every RENEW_MS, which the
// coordinator counts as word from it, so silence means a stopped process, not a quiet second.
//
// Why a generator does not also stop itself when its deltas go unacknowledged (a lease): tried with a
// 2 s and a 3 s lease, on a shared 2-core machine under load the coordinator lost office for several
// seconds with no fault (election churn), no acknowledgement came, and every generator stopped at once.
// A generator cut off from the coordinator (a partition) therefore keeps sending its share after it
// moved until it hears the stop: see the fault suite (test/faults) and the README's known gaps.
/** A generator heard from no more recently than this loses its share. */
export const SILENT_MS = 1_500;
/** A generator with nothing new to send repeats its newest delta this often while its load is scheduled. */
export const RENEW_MS = 250;
/** A run's first delta is cut a second after the start: no delta is owed before. */
export const FIRST_DELTA_MS = 1_000;
