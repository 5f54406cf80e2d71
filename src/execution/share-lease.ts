// The lease by which a generator holds its share, shared by both sides so that at most one peer drives
// a share at any moment. The generator holds it while a coordinator in office acknowledges its deltas
// (it sends its newest one again every RENEW_MS as a renewal): it stops its runs once GENERATOR_LEASE_MS
// have passed since it sent the last delta that was acknowledged. A coordinator acknowledges only within
// its own quorum lease, so a partitioned one stops acknowledging too. The coordinator moves a silent
// generator's share only SILENT_MS after the last delta it received, which was sent no earlier than the
// last acknowledged one: the generator has stopped by then, with SILENT_MS - GENERATOR_LEASE_MS to spare
// for its pump period and event-loop lag. The lease outlasts a coordinator's failover (about 1.3 s, then
// one pump to find the new one), so a failover alone stops nobody.
/** A generator heard from no more recently than this loses its share. */
export const SILENT_MS = 2_400;
/** A generator whose deltas went unacknowledged this long (since the last acknowledged one was sent) stops. */
export const GENERATOR_LEASE_MS = 2_000;
/** A generator with nothing new to send renews its lease this often by sending its newest delta again. */
export const RENEW_MS = 250;
