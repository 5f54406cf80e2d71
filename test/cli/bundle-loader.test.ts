// The bundle loader and its code cache, on a small CommonJS bundle written here. Each load is a fresh
// Node process (within one, V8 would find the script in its own in-memory cache and never read ours):
// V8 takes a cache this loader wrote, and a cache that is corrupt, truncated, refused by V8, of another
// build or in a folder others may write is never used; the bundle then runs from its source.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/lib/peer-process.js';
import { codeCacheDir, type CacheOutcome } from '../../src/cli/bundle-loader.js';
import { cacheNameFor } from '../../src/cli/launch-command.js';

const LOADER = join(REPO_ROOT, 'dist', 'src', 'cli', 'bundle-loader.js');
const V8_FLAGS = join(REPO_ROOT, 'dist', 'src', 'cli', 'v8-flags.js');
let dir: string;
let cacheDir: string;
let bundle: string;

// Functions beyond the top level, compiled only when called: what a cache taken at the end holds.
const source = (id: string) =>
  `"use strict";
const fib = (n) => (n < 2 ? n : fib(n - 1) + fib(n - 2));
function describe(x) { return { id: ${JSON.stringify(id)}, x, fib: fib(x) }; }
module.exports.describe = describe;
module.exports.file = __filename;
`;

interface Load {
  outcome: CacheOutcome;
  cacheFile?: string;
  result: { id: string; x: number; fib: number };
  file: string;
}

/** Loads the bundle in a new process, calls describe(x), then save() unless told not to. */
function load(options: { name?: string; x?: number; save?: boolean; file?: string; cache?: string | null; flags?: string[]; command?: string } = {}): Load {
  const { name = 'run', x = 10, save = true, file = bundle, cache = cacheDir, flags = [], command } = options;
  const script = `
    import { loadBundle } from ${JSON.stringify(pathToFileURL(LOADER).href)};
    import { setV8FlagsFor } from ${JSON.stringify(pathToFileURL(V8_FLAGS).href)};
    ${command === undefined ? '' : `setV8FlagsFor(${JSON.stringify(command)});`}
    const b = loadBundle(${JSON.stringify(file)}, ${JSON.stringify(name)}, ${cache === null ? 'undefined' : JSON.stringify(cache)});
    const result = b.exports.describe(${x});
    if (${save}) b.save();
    process.stdout.write(JSON.stringify({ outcome: b.outcome, cacheFile: b.cacheFile, result, file: b.exports.file }));`;
  return JSON.parse(execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8' })) as Load;
}

beforeEach(() => {
  expect(existsSync(LOADER), 'run `npm run build` first').toBe(true);
  dir = mkdtempSync(join(tmpdir(), 'mcpdt-bundle-loader-'));
  cacheDir = join(dir, 'cache');
  bundle = join(dir, 'cli.cjs');
  writeFileSync(bundle, source('A'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('loadBundle', () => {
  it('runs the bundle as a CommonJS module, writes the cache, and V8 takes it on the next launch', () => {
    const first = load({ x: 10 });
    expect(first).toMatchObject({ outcome: 'miss', result: { id: 'A', x: 10, fib: 55 }, file: bundle });
    expect(existsSync(first.cacheFile!)).toBe(true);
    const written = readFileSync(first.cacheFile!);

    const second = load({ x: 12 });
    expect(second).toMatchObject({ outcome: 'hit', cacheFile: first.cacheFile, result: { id: 'A', x: 12, fib: 144 } });
    // A hit has nothing to add: the file is left as it was.
    expect(readFileSync(second.cacheFile!)).toEqual(written);
  });

  it('writes nothing until save()', () => {
    const loaded = load({ save: false });
    expect(loaded.outcome).toBe('miss');
    expect(existsSync(loaded.cacheFile!)).toBe(false);
  });

  it('ignores a cache whose payload was damaged, runs from source, and writes a good one', () => {
    const { cacheFile } = load();
    const data = readFileSync(cacheFile!);
    data[data.length >> 1]! ^= 0xff;
    writeFileSync(cacheFile!, data);

    expect(load({ x: 10 })).toMatchObject({ outcome: 'corrupt', result: { fib: 55 } });
    expect(load().outcome).toBe('hit');
  });

  it('ignores a truncated or empty cache file', () => {
    const { cacheFile } = load();
    const data = readFileSync(cacheFile!);
    for (const cut of [data.subarray(0, data.length - 1), data.subarray(0, 10), Buffer.alloc(0)]) {
      writeFileSync(cacheFile!, cut);
      expect(load({ x: 3, save: false })).toMatchObject({ outcome: 'corrupt', result: { id: 'A', x: 3, fib: 2 } });
    }
  });

  it('reports a cache V8 refuses (here: one made for another script), runs from source, and replaces it', () => {
    // A well-formed file (header and checksum hold) whose payload is another script's code cache.
    const other = join(dir, 'other.cjs');
    writeFileSync(other, `${source('Z')}module.exports.more = ${JSON.stringify('x'.repeat(100))};\n`);
    const made = load({ file: other });
    const mine = load();
    writeFileSync(mine.cacheFile!, readFileSync(made.cacheFile!));

    expect(load()).toMatchObject({ outcome: 'rejected', result: { id: 'A' } });
    expect(load().outcome).toBe('hit');
  });

  it('never gives a cache to another build of the bundle, even one of the same length', () => {
    const a = load({ x: 5 });
    writeFileSync(bundle, source('B'));
    expect(readFileSync(bundle).length).toBe(Buffer.byteLength(source('A')));

    const b = load({ x: 5 });
    expect(b.outcome).toBe('miss');
    expect(b.cacheFile).not.toBe(a.cacheFile);
    expect(b.result).toEqual({ id: 'B', x: 5, fib: 5 });
  });

  it('keeps one cache per command', () => {
    load({ name: 'run' });
    expect(load({ name: 'start' }).outcome).toBe('miss');
    expect(load({ name: 'run' }).outcome).toBe('hit');
    expect(load({ name: 'start' }).outcome).toBe('hit');
  });

  it('keeps one cache per set of flags, so launches with other V8 flags do not replace each other', () => {
    const plain = load();
    const other = load({ flags: ['--max-semi-space-size=32'] });
    expect(other.outcome).toBe('miss');
    expect(other.cacheFile).not.toBe(plain.cacheFile);
    expect(load().outcome).toBe('hit');
    expect(load({ flags: ['--max-semi-space-size=32'] }).outcome).toBe('hit');
  });

  it('keeps one cache per set of V8 flags a command sets at run time, as for a load worker bundle in a peer and in run', () => {
    const inPeer = load({ name: 'worker', command: 'start' });
    const inRun = load({ name: 'worker', command: 'run' });
    expect(inRun.outcome).toBe('miss');
    expect(inRun.cacheFile).not.toBe(inPeer.cacheFile);
    expect(load({ name: 'worker', command: 'start' }).outcome).toBe('hit');
    expect(load({ name: 'worker', command: 'run' }).outcome).toBe('hit');
  });

  it('reads and writes no cache in a folder others may write to', () => {
    const { cacheFile } = load();
    // As a shared /tmp folder would be: a cache planted there is not read, and none is written.
    chmodSync(cacheDir, 0o777);
    expect(load({ x: 4, save: false })).toMatchObject({ outcome: 'off', result: { fib: 3 } });
    rmSync(cacheFile!);
    expect(load().outcome).toBe('off');
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it('refuses a cache folder that is a symbolic link', () => {
    const real = join(dir, 'real');
    mkdirSync(real, { mode: 0o700 });
    symlinkSync(real, cacheDir);
    expect(load({ x: 7 })).toMatchObject({ outcome: 'off', result: { fib: 13 } });
    expect(readdirSync(real)).toEqual([]);
  });

  it('keeps the newest 16 cache files and touches no file of another name', () => {
    mkdirSync(cacheDir, { mode: 0o700 });
    const old = new Date(Date.now() - 86_400_000);
    const names = Array.from({ length: 20 }, (_, i) => `run-cli-${(i + 1).toString(16)}-100-v20.0.0-x64-0.bin`);
    const others = ['firmware.bin', 'notes.txt', 'run.bin.1.2.tmp'];
    for (const name of [...names, ...others]) {
      writeFileSync(join(cacheDir, name), 'x');
      utimesSync(join(cacheDir, name), old, old);
    }
    const { cacheFile } = load();
    const left = readdirSync(cacheDir);
    expect(left).toContain(basename(cacheFile!));
    expect(left.filter((f) => names.includes(f))).toHaveLength(15);
    expect(left).toEqual(expect.arrayContaining(others));
  });

  it('runs without a cache when there is no folder', () => {
    expect(load({ cache: null, x: 6 })).toMatchObject({ outcome: 'off', result: { fib: 8 } });
  });
});

describe('codeCacheDir and cacheNameFor', () => {
  it('honours MCP_NO_COMPILE_CACHE and MCP_COMPILE_CACHE_DIR, else a folder per user under the temporary folder', () => {
    expect(codeCacheDir({ MCP_NO_COMPILE_CACHE: '1', MCP_COMPILE_CACHE_DIR: '/x' })).toBeUndefined();
    expect(codeCacheDir({ MCP_COMPILE_CACHE_DIR: '/x' })).toBe('/x');
    expect(codeCacheDir({})).toBe(join(tmpdir(), `mcp-peer-compile-cache-${process.getuid!()}`));
  });

  it.each([
    [['run', 'plan.yaml', '--out', 'r.json'], 'run'],
    [['--log-level', 'warn', 'run', 'plan.yaml'], 'run'],
    [['mcp', '--peer', 'http://127.0.0.1:1'], 'mcp'],
    [['keygen'], 'keygen'],
    [['--version'], 'info'],
    [['--help'], 'info'],
    [[], 'start'],
    [['--http-port', '8080'], 'start'],
  ])('%j uses the cache of %s', (argv, name) => {
    expect(cacheNameFor(argv)).toBe(name);
  });
});
