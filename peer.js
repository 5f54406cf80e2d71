#!/usr/bin/env node
// Entry point: `node peer.js [command] [flags]`. Loads the compiled code from dist/ (built by `npm install`):
// the esbuild bundle when there is one (one file, compiled with V8's code cache: see
// dist/src/cli/bundle-loader.js), else the modules tsc wrote. MCP_NO_BUNDLE=1 forces the latter;
// MCP_NO_COMPILE_CACHE=1 keeps the bundle but turns the code cache off.
import { existsSync } from 'node:fs';
import module from 'node:module';
import v8 from 'node:v8';
import './dist/src/polyfill.js';
import { cacheNameFor, codeCacheDir, loadBundle } from './dist/src/cli/bundle-loader.js';

// Node 22.1+ keeps V8's compiled code of modules between launches: this file and, without the bundle, dist/src.
module.enableCompileCache?.();
// undici parses responses with llhttp, compiled to WebAssembly. V8 recompiles its one large function with
// TurboFan once it has parsed about a hundred responses: 100-170 ms of CPU on a background thread, more
// than a short run spends on everything else. With this budget it happens after one to two thousand
// responses per thread instead, which a long or fast run reaches within moments and a short one never pays.
// (Set before the bundle is compiled: V8 refuses a code cache made under other flags.)
v8.setFlagsFromString('--wasm-tiering-budget=2000000000');

const argv = process.argv.slice(2);
const command = cacheNameFor(argv);
// A peer's own thread keeps V8's young generation at its first size (1 MB semi-spaces): left to grow, it
// reached 16 MB semi-spaces, 32 MB of an idle peer's resident memory, for a control plane whose objects
// die young. Booting a load worker thread (its isolate) puts V8's default growth back, for the run.
if (command === 'start') v8.setFlagsFromString('--semi-space-growth-factor=1');
// `run` sends on this thread unless a task needs more than one thread's worth, and lives as long as its
// plan: no memory reducer, whose compacting collections (12-19 ms, some 8 s into a steady run) held the
// sending loop, and the arrivals due meanwhile went out together. Load workers go without it too
// (actors/load-generator/worker-pool.ts); a peer's own thread keeps it, to shrink when idle.
if (command === 'run') v8.setFlagsFromString('--no-memory-reducer');

const bundle = new URL('./dist/bundle/cli.cjs', import.meta.url);
let main;
let loaded;
if (process.env.MCP_NO_BUNDLE !== '1' && existsSync(bundle)) {
  const name = command;
  loaded = loadBundle(bundle, name, codeCacheDir());
  ({ main } = loaded.exports);
  // A peer runs until it is stopped: keep what its start-up compiled once it is up.
  if (name !== 'run') setTimeout(() => loaded.save(), 2_000).unref();
} else {
  ({ main } = await import('./dist/src/cli/main.js'));
}
const code = await main(argv);
// Not after a usage or configuration error (exit code 2): that launch compiled little of its command.
if (code !== 2) loaded?.save();
// libp2p and undici may hold sockets or timers a moment longer; the command is done.
process.exit(code);
