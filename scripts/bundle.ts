// Bundles the compiled command line (dist/src/cli/main.js) and the load worker thread's entry into
// dist/bundle/ with esbuild: one file per command instead of hundreds of modules to resolve, read and
// compile, which was most of the start-up of `node peer.js run` (see docs/scale.md and the README's
// benchmarks). Commands stay in their own chunks, so `run` never loads libp2p. better-sqlite3 (native)
// stays outside. peer.js uses the bundle when it is there and falls back to dist/src otherwise.
//   node dist/scripts/bundle.js        (npm run build runs it after tsc)
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './lib/peer-process.js';

const out = join(REPO_ROOT, 'dist', 'bundle');
rmSync(out, { recursive: true, force: true });
const dist = (p: string) => join(REPO_ROOT, 'dist', p);

await build({
  // The load worker's entry keeps its name: worker-pool looks for './worker-entry.js' beside itself,
  // which in the bundle is this folder.
  entryPoints: {
    main: dist('src/cli/main.js'),
    'worker-entry': dist('actors/load-generator/worker-entry.js'),
  },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3'],
  // Bundled CommonJS packages (undici, yaml, hdr-histogram-js) call require() for Node's own modules.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  logLevel: 'warning',
  legalComments: 'none',
  // V8 keeps every module's source text in the heap, and a source with one non-ASCII character (an arrow
  // in a comment) as two bytes a character: the chunks a peer loads held 11 MB of it. Without comments and
  // whitespace the sources are ASCII and about half as long; identifiers are kept, so stack traces still
  // name the functions.
  minifyWhitespace: true,
  minifySyntax: true,
  charset: 'ascii',
});
console.log(`bundled into ${out}`);
