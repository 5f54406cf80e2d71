// A load worker thread: runs the parts of runs it is given on its own event loop and clock, and hands
// its tallies to the parent thread a few times a second (raw counts; the parent cuts the deltas).
import '../../src/polyfill.js';
import { parentPort } from 'node:worker_threads';
import { errorMessage } from '../../src/errors.js';
import { assertNever } from '../../src/util/assert-never.js';
import { systemClock } from '../../src/util/clock.js';
import { startEngine, type Engine } from './engine.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('worker-entry runs only as a worker thread');
const post = (msg: FromWorker) => port.postMessage(msg);
const parts = new Map<string, Engine>();

function start(msg: Extract<ToWorker, { type: 'start' }>): void {
  const { key } = msg;
  let engine: Engine;
  try {
    engine = startEngine({
      task: msg.task,
      segment: msg.segment,
      startAt: msg.startAt,
      warmUp: msg.warmUp,
      runId: key,
      clock: systemClock,
      fenced: msg.fenced,
      onState: (state) => post({ type: 'state', key, state }),
    });
  } catch (err) {
    post({ type: 'done', key, end: { status: 'failed', error: errorMessage(err), ranS: 0 }, raw: { targets: [], seconds: [], lateness: null } });
    return;
  }
  parts.set(key, engine);
  const flush = systemClock.repeat(() => {
    if (engine.state !== 'waiting') post({ type: 'tallies', key, raw: engine.recorder.takeRaw() });
  }, msg.flushMs);
  void engine.done.then((end) => {
    systemClock.cancel(flush);
    parts.delete(key);
    post({ type: 'done', key, end, raw: engine.recorder.takeRaw() });
    // Its count arrays serve this worker's next part (pool.ts).
    engine.recorder.release();
  });
}

port.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'start':
      start(msg);
      break;
    case 'stop':
      parts.get(msg.key)?.stop();
      break;
    case 'segment':
      parts.get(msg.key)?.setSegment(msg.segment, msg.atMs);
      break;
    case 'grant':
      parts.get(msg.key)?.grant(msg.from, msg.until, msg.sure);
      break;
    case 'release':
      parts.get(msg.key)?.release(msg.movedAt);
      break;
    default:
      assertNever(msg);
  }
});
post({ type: 'ready' });
