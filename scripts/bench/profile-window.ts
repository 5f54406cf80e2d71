// Preloaded into a peer (`node --import .../profile-window.js peer.js`, MCP_PROFILE_FILE=<file.cpuprofile>)
// to take a CPU profile of a window of its life, not of its start: the first SIGUSR2 starts the profiler,
// the second writes the profile. Used by idle.ts (--profile DIR): the idle cost is what a peer does long
// after it started, which --cpu-prof (launch to exit, and only on an orderly exit) does not isolate.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import v8 from 'node:v8';

const file = process.env.MCP_PROFILE_FILE;
if (file) {
  const session = new Session();
  session.connect();
  const post = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  let running = false;
  process.on('SIGUSR2', () => {
    running = !running;
    if (running) void post('Profiler.enable').then(() => post('Profiler.start'));
    else {
      // Where the memory is, beside the profile: the process's figures and V8's heap spaces.
      const memory = { usage: process.memoryUsage(), heap: v8.getHeapStatistics(), spaces: v8.getHeapSpaceStatistics() };
      writeFileSync(file.replace(/\.cpuprofile$/, '') + '.memory.json', JSON.stringify(memory, null, 1));
      void post('Profiler.stop').then((r) => writeFileSync(file, JSON.stringify((r as { profile: unknown }).profile)));
    }
  });
}
