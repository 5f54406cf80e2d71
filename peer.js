#!/usr/bin/env node
// Entry point: `node peer.js [command] [flags]`. Loads the compiled code from dist/ (built by `npm install`):
// the esbuild bundle when there is one (a fraction of the start-up: few files to resolve and compile),
// else the modules tsc wrote. MCP_NO_BUNDLE=1 forces the latter.
import { existsSync } from 'node:fs';
import module from 'node:module';
import v8 from 'node:v8';
import './dist/src/polyfill.js';

// Node 22.1+ keeps V8's compiled code between launches (Node 20 has no such call: nothing to do there).
module.enableCompileCache?.();
// undici parses responses with llhttp, compiled to WebAssembly. V8 recompiles its one large function with
// TurboFan once it has parsed about a hundred responses: 100-170 ms of CPU on a background thread, more
// than a short run spends on everything else. With this budget it happens after one to two thousand
// responses per thread instead, which a long or fast run reaches within moments and a short one never pays.
v8.setFlagsFromString('--wasm-tiering-budget=2000000000');

const bundle = new URL('./dist/bundle/main.js', import.meta.url);
const useBundle = process.env.MCP_NO_BUNDLE !== '1' && existsSync(bundle);
const { main } = await import(useBundle ? bundle.href : './dist/src/cli/main.js');
const code = await main(process.argv.slice(2));
// libp2p and undici may hold sockets or timers a moment longer; the command is done.
process.exit(code);
