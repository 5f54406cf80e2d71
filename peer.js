#!/usr/bin/env node
// Entry point: `node peer.js [command] [flags]`. Loads the compiled code from dist/ (built by `npm install`):
// the esbuild bundle when there is one (one file, compiled with V8's code cache: see
// dist/src/cli/bundle-loader.js), else the modules tsc wrote. MCP_NO_BUNDLE=1 forces the latter;
// MCP_NO_COMPILE_CACHE=1 keeps the bundle but turns the code cache off.
import './dist/src/polyfill.js';
import { existsSync } from 'node:fs';
import module from 'node:module';
import { cacheNameFor } from './dist/src/cli/launch-command.js';
import { describeArenaLimit, limitArenas } from './dist/src/util/arenas.js';

const argv = process.argv.slice(2);
const command = cacheNameFor(argv);
// A peer runs until it is stopped: its malloc arenas limited before anything else is loaded, for V8's
// helper threads take theirs at the first garbage collections (dist/src/util/arenas.js). `run` lives as
// long as its plan and keeps glibc's default.
if (command === 'start' || command === 'mcp') {
  const arenas = limitArenas(new URL('./native/arena.node', import.meta.url));
  if (process.env.MCP_TRACE_ARENAS === '1') process.stderr.write(`${describeArenaLimit(arenas)}\n`);
}

// Node 22.1+ keeps V8's compiled code of modules between launches: the modules below and, without the bundle, dist/src.
module.enableCompileCache?.();
const { codeCacheDir, loadBundle } = await import('./dist/src/cli/bundle-loader.js');
const { setV8FlagsFor } = await import('./dist/src/cli/v8-flags.js');
// Before the bundle is compiled: V8 refuses a code cache made under other flags.
setV8FlagsFor(command);

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
