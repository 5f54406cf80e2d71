// Loads a CommonJS bundle of the command line (dist/bundle/*.cjs) through vm.Script with V8's code cache,
// on every Node from 20 on (Node 20 has no compile cache for modules of its own). Compiling is about a
// third of the CPU of a short `node peer.js run`; with the cache V8 skips parsing and compiling every
// function the same command compiled last time, lazily compiled ones included, since the cache is taken
// at the end of a launch rather than after the first compile.
//
// A cache file belongs to one bundle (its CRC-32 and length), one Node version, architecture and set of
// flags, and one command (each caches what it ran). It is used only when its own header and checksum
// hold and V8 accepts it (same V8 version and flags); anything else is ignored and written again. The
// folder is private to the user: created 0700, and refused if another user owns it or others may write to it.
import { isAscii } from 'node:buffer';
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { threadId } from 'node:worker_threads';
import { crc32 } from 'node:zlib';
import { launchFlags } from '../util/launch-flags.js';

/** How the cache served this launch. */
export type CacheOutcome = 'hit' | 'miss' | 'rejected' | 'corrupt' | 'off';

export interface LoadedBundle {
  /** What the bundle put on `module.exports`. */
  exports: Record<string, unknown>;
  outcome: CacheOutcome;
  /** The cache file this launch read or will write; undefined when the cache is off. */
  cacheFile: string | undefined;
  /** Writes the cache when this launch had none that V8 took; at most once, never throws. */
  save(): void;
}

const MAGIC = 0x4d435043; // 'MCPC'
const FORMAT = 1;
const HEADER = 16;
/** Cache files kept in the folder (other bundles, commands and Node versions); the oldest go first. */
const KEEP = 16;
// The wrapper of Node's own CommonJS loader, on a line of its own so the bundle's lines keep their numbers.
const PREFIX = '(function (exports, require, module, __filename, __dirname) {\n';
const SUFFIX = '\n})';

/** MCP_TRACE_COMPILE_CACHE=1: one line on stderr per load and per save (what the tests look for). */
function trace(what: string): void {
  if (process.env.MCP_TRACE_COMPILE_CACHE === '1') process.stderr.write(`compile cache: ${what}\n`);
}

/**
 * The cache folder: MCP_COMPILE_CACHE_DIR, else one per user under the temporary folder; undefined
 * (no cache) with MCP_NO_COMPILE_CACHE=1.
 */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.MCP_NO_COMPILE_CACHE === '1') return undefined;
  if (env.MCP_COMPILE_CACHE_DIR) return env.MCP_COMPILE_CACHE_DIR;
  return join(tmpdir(), `mcp-peer-compile-cache-${process.getuid?.() ?? 'user'}`);
}

/**
 * Node's and V8's flags of this launch, in short: V8 refuses a cache made under other flags, so launches
 * with other flags (NODE_OPTIONS=--max-semi-space-size=..., --cpu-prof, or those a command sets at run
 * time: a load worker's bundle in a peer and in `run`) keep caches of their own instead of replacing each
 * other's.
 */
function flagsKey(): string {
  // The flags themselves, not the text of an -e script.
  return crc32(launchFlags()).toString(16);
}

/** Creates the folder if need be; false when it is not ours alone (then no cache is read or written). */
function privateDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Not a symbolic link either: one planted in a shared /tmp would send our writes (and pruning) elsewhere.
    const st = lstatSync(dir);
    if (!st.isDirectory() || (st.mode & 0o022) !== 0) return false;
    return process.getuid === undefined || st.uid === process.getuid();
  } catch {
    return false;
  }
}

/** The payload of a cache file, or undefined when the file is missing, truncated or fails its checksum. */
function readCache(file: string): Buffer | undefined | 'corrupt' {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return undefined;
  }
  if (data.length < HEADER || data.readUInt32LE(0) !== MAGIC || data.readUInt32LE(4) !== FORMAT) return 'corrupt';
  const payload = data.subarray(HEADER);
  if (data.readUInt32LE(12) !== payload.length || data.readUInt32LE(8) !== crc32(payload)) return 'corrupt';
  return payload;
}

function writeCache(file: string, payload: Buffer): void {
  const header = Buffer.alloc(HEADER);
  header.writeUInt32LE(MAGIC, 0);
  header.writeUInt32LE(FORMAT, 4);
  header.writeUInt32LE(crc32(payload), 8);
  header.writeUInt32LE(payload.length, 12);
  // Another launch may be writing the same file: each writes its own and the rename is atomic.
  const tmp = `${file}.${process.pid}.${threadId}.tmp`;
  try {
    writeFileSync(tmp, Buffer.concat([header, payload]), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    rmSync(tmp, { force: true });
  }
}

/** The names this loader writes (cacheFileName, and its temporary files): pruning touches nothing else. */
const CACHE_FILE = /^[a-z]+-[\w.-]+-[0-9a-f]+-\d+-v[\d.]+-\w+-[0-9a-f]+\.bin$/;
const TEMP_FILE = /^[a-z]+-[\w.-]+-[0-9a-f]+-\d+-v[\d.]+-\w+-[0-9a-f]+\.bin\.\d+\.\d+\.tmp$/;

/** Keeps the newest KEEP cache files, and drops temporary files an interrupted write left behind. */
function prune(dir: string): void {
  try {
    const files = readdirSync(dir).map((name) => {
      const path = join(dir, name);
      return { name, path, mtimeMs: statSync(path).mtimeMs };
    });
    const hourAgo = Date.now() - 3_600_000;
    for (const f of files) if (TEMP_FILE.test(f.name) && f.mtimeMs < hourAgo) rmSync(f.path, { force: true });
    const caches = files.filter((f) => CACHE_FILE.test(f.name)).sort((a, b) => b.mtimeMs - a.mtimeMs);
    for (const f of caches.slice(KEEP)) rmSync(f.path, { force: true });
  } catch {
    // Pruning is housekeeping: a folder we cannot list is left as it is.
  }
}

/**
 * Compiles and runs the CommonJS bundle `file` as Node would (module, exports, require beside it), with
 * the code cache of `name` from `dir` (no cache when `dir` is undefined).
 */
export function loadBundle(file: string | URL, name: string, dir: string | undefined): LoadedBundle {
  const path = typeof file === 'string' ? file : fileURLToPath(file);
  const bytes = readFileSync(path);
  // The build writes ASCII (esbuild's charset: 'ascii'), which latin1 reads as it is, without decoding.
  const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  const cacheFile = dir !== undefined && privateDir(dir)
    ? join(dir, `${name}-${basename(path, '.cjs')}-${crc32(bytes).toString(16)}-${bytes.length}-${process.version}-${process.arch}-${flagsKey()}.bin`)
    : undefined;
  const cached = cacheFile === undefined ? undefined : readCache(cacheFile);
  const cachedData = cached === 'corrupt' ? undefined : cached;
  const script = new vm.Script(PREFIX + source + SUFFIX, {
    filename: path,
    lineOffset: -1,
    ...(cachedData ? { cachedData } : {}),
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const outcome: CacheOutcome =
    cacheFile === undefined ? 'off' : cached === 'corrupt' ? 'corrupt' : !cachedData ? 'miss' : script.cachedDataRejected === false ? 'hit' : 'rejected';

  trace(`${outcome} ${cacheFile ?? ''}`);

  const module = { exports: {} as Record<string, unknown> };
  const fn = script.runInThisContext() as (...args: unknown[]) => void;
  fn.call(module.exports, module.exports, createRequire(path), module, path, dirname(path));

  let saved = outcome === 'hit' || outcome === 'off';
  return {
    exports: module.exports,
    outcome,
    cacheFile,
    save() {
      if (saved || cacheFile === undefined) return;
      saved = true;
      try {
        writeCache(cacheFile, script.createCachedData());
        trace(`saved ${cacheFile}`);
        prune(dirname(cacheFile));
      } catch {
        // A cache we cannot write costs the next launch its compile, nothing else.
      }
    },
  };
}
