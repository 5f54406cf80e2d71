// The page's static files: our own under web/ and uPlot from node_modules, read once and kept in memory
// (they are small), so a page never needs the internet.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Asset {
  body: string;
  contentType: string;
}

/** The package's root folder: where package.json is, whether we run from src/ (tests) or dist/src/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'web'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the package root (package.json beside web/)');
    dir = up;
  }
  return dir;
}

const require = createRequire(import.meta.url);
const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', html: 'text/html; charset=utf-8' };

/** The files served under /assets/, by name. */
function sources(): Record<string, string> {
  const web = join(packageRoot(), 'web');
  const uplot = dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
  return {
    'index.html': join(web, 'index.html'),
    'app.js': join(web, 'app.js'),
    'charts.js': join(web, 'charts.js'),
    'dom.js': join(web, 'dom.js'),
    'app.css': join(web, 'app.css'),
    'report.js': join(web, 'report.js'),
    'report-sections.js': join(web, 'report-sections.js'),
    'report.css': join(web, 'report.css'),
    'uPlot.min.js': join(uplot, 'uPlot.iife.min.js'),
    'uPlot.min.css': join(uplot, 'uPlot.min.css'),
  };
}

let cache: Map<string, Asset> | undefined;

export function asset(name: string): Asset | undefined {
  if (!cache) {
    cache = new Map();
    for (const [key, file] of Object.entries(sources())) {
      cache.set(key, { body: readFileSync(file, 'utf8'), contentType: TYPES[key.split('.').at(-1)!]! });
    }
  }
  return cache.get(name);
}
