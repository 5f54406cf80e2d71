#!/usr/bin/env node
// Entry point: `node peer.js [command] [flags]`. Loads the compiled code from dist/ (built by `npm install`).
import './dist/src/polyfill.js';

const { main } = await import('./dist/src/cli/main.js');
const code = await main(process.argv.slice(2));
// libp2p and undici may hold sockets or timers a moment longer; the command is done.
process.exit(code);
