// The lease by which a generator holds its share, shared by both sides so that at most one peer drives
// a share at any moment. The generator holds it while its deltas are acknowledged: it stops its runs
// once GENERATOR_LEASE_MS have passed since it sent the last delta a coordinator in office acknowledged
// (a coordinator acknowledges only within its own quorum lease, so a partitioned one stops acknowledging
// too). The coordinator moves a silent generator's share only SILENT_MS after the last delta it received,
// which was sent no earlier than the last acknowledged one: the generator has stopped by then, with
// SILENT_MS - GENERATOR_LEASE_MS to spare for its pump period and event-loop lag.
/** A running generator sends a delta every second; this long without one and its share moves. */
export const SILENT_MS = 1_900;
/** A generator whose deltas went unacknowledged this long (since the last acknowledged one was sent) stops. */
export const GENERATOR_LEASE_MS = 1_500;
