// V8's memory reducer shrinks a heap that has gone quiet: some time after it is armed, if the thread
// allocates little, it makes up to three compacting collections. A thread that sends load at a steady
// low rate allocates little too, and V8's wait (8 s, made for a browser's background tabs) put those
// collections in the middle of runs: 5-10 ms pauses and their concurrent marking, about 50 ms of CPU in a
// 10 s run at 1,000 req/s (a sixth of what the engine costs above the floor of even pacing,
// scripts/bench/pacing.ts), the sending loop held meanwhile and the arrivals due then sent together.
// While this process boots or runs load, the reducer waits half a minute instead; an idle peer keeps V8's
// wait and shrinks as before (with half a minute always, an idle peer's resident memory grew by 10 MB).
// The wait is a V8 flag, set at run time and process-wide (every thread's isolate), which V8 reads when
// it arms the reducer: V8 11 (Node 20) each time; V8 12 and later (Node 22, 24) when the heap first
// grows, as every process's does while it boots, and then 8 s after a full collection whatever the flag
// says. A full collection while the reducer waits does not bring its wake-up nearer, and a wait armed
// before a run began ends when it was due.
import v8 from 'node:v8';

/** V8's own wait. */
export const V8_REDUCER_DELAY_MS = 8_000;
/** The wait while this process boots or runs load. */
export const BUSY_REDUCER_DELAY_MS = 30_000;

const reducerDelayFlag = (ms: number) => `--gc-memory-reducer-start-delay-ms=${ms}`;

let idleDelayMs = V8_REDUCER_DELAY_MS;
let holds = 0;

/** The wait while no run holds the reducer off: V8's own for a peer that is up, the busy one while it boots and for `run`. */
export function setIdleReducerDelay(ms: number): void {
  idleDelayMs = ms;
  if (holds === 0) v8.setFlagsFromString(reducerDelayFlag(ms));
}

/** Puts the reducer off (BUSY_REDUCER_DELAY_MS) until the returned release is called; runs may overlap. */
export function holdReducerOff(): () => void {
  if (holds++ === 0) v8.setFlagsFromString(reducerDelayFlag(BUSY_REDUCER_DELAY_MS));
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    if (--holds === 0) v8.setFlagsFromString(reducerDelayFlag(idleDelayMs));
  };
}
