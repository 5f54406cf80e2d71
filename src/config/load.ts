// Builds the configuration from defaults, the YAML file, the environment and flags (later wins),
// and validates it as a whole: every problem is reported with its field and where it came from.
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { ValidationError, type Problem } from '../errors.js';
import { formatPath } from '../validation.js';
import { ConfigSchema, type Config } from './schema.js';
import { SETTINGS, type Setting } from './settings.js';

export const DEFAULT_CONFIG_FILE = 'mcp_config.yaml';

export class ConfigError extends ValidationError {
  override name = 'ConfigError';
  constructor(problems: Problem[]) {
    super('CONFIG_INVALID', 'invalid configuration', problems);
  }
}

export interface LoadedConfig {
  config: Config;
  /** The YAML file that was read, if any. */
  file?: string;
  /** Arguments left after the flags (the command and its operands). */
  positionals: string[];
  help: boolean;
  version: boolean;
  /** Flags of commands (`run --out report.json --csv series.csv`). */
  command: { out?: string; csv?: string; html?: string; baseline?: string; peer?: string };
}

type Raw = Record<string, Record<string, unknown>>;

function setPath(target: Raw, [section, key]: readonly [string, string], value: unknown): void {
  (target[section] ??= {})[key] = value;
}

function coerce(setting: Setting, text: string): { value?: unknown; problem?: string } {
  const trimmed = text.trim();
  switch (setting.kind) {
    case 'string':
      return { value: setting.path[1] === 'log_level' ? trimmed.toLowerCase().replace(/^warning$/, 'warn') : trimmed };
    case 'int':
      return /^[+-]?\d+$/.test(trimmed) ? { value: Number(trimmed) } : { problem: `expected an integer, got ${JSON.stringify(text)}` };
    case 'number':
      return trimmed !== '' && Number.isFinite(Number(trimmed)) ? { value: Number(trimmed) } : { problem: `expected a number, got ${JSON.stringify(text)}` };
    case 'bool': {
      const lower = trimmed.toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(lower)) return { value: true };
      if (['false', '0', 'no', 'off'].includes(lower)) return { value: false };
      return { problem: `expected true or false, got ${JSON.stringify(text)}` };
    }
    case 'list':
      return { value: trimmed.split(',').map((s) => s.trim()).filter((s) => s !== '') };
  }
}

/** `host:port` → a TCP multiaddr; multiaddrs pass through. */
export function normalizeBootstrap(entry: string): string {
  if (entry.startsWith('/')) return entry;
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(entry);
  if (!match) return entry;
  const [, host, port] = match;
  const proto = /^\d+\.\d+\.\d+\.\d+$/.test(host!) ? 'ip4' : host!.includes(':') ? 'ip6' : 'dns';
  return `/${proto}/${host}/tcp/${port}`;
}

function readYaml(file: string, problems: Problem[]): Raw {
  try {
    const parsed: unknown = parseYaml(readFileSync(file, 'utf8'));
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== 'object' || Array.isArray(parsed)) {
      problems.push({ path: `(${file})`, message: 'must be a YAML mapping' });
      return {};
    }
    return parsed as Raw;
  } catch (error) {
    problems.push({ path: `(${file})`, message: `cannot read: ${(error as Error).message}` });
    return {};
  }
}

function deepMerge(base: Raw, over: Raw): Raw {
  const out: Raw = { ...base };
  for (const [section, values] of Object.entries(over)) {
    const current = out[section];
    out[section] =
      values && typeof values === 'object' && !Array.isArray(values) && current && typeof current === 'object'
        ? { ...current, ...values }
        : values;
  }
  return out;
}

/**
 * The configuration, or a ConfigError listing every problem. Async only to load the multiaddr parser
 * when there are bootstrap entries to check: loading it costs a command that has none (`run`) 10-20 ms.
 */
export async function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<LoadedConfig> {
  const problems: Problem[] = [];
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {
    config: { type: 'string' },
    help: { type: 'boolean' },
    version: { type: 'boolean' },
    'no-mdns': { type: 'boolean' },
    out: { type: 'string' },
    csv: { type: 'string' },
    html: { type: 'string' },
    baseline: { type: 'string' },
    peer: { type: 'string' },
  };
  for (const s of SETTINGS) options[s.flag] = s.kind === 'bool' ? { type: 'boolean' } : { type: 'string', multiple: s.kind === 'list' };

  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new ConfigError([{ path: '(flags)', message: (error as Error).message }]);
  }
  const flags = parsed.values as Record<string, string | boolean | string[] | undefined>;

  const explicitFile = typeof flags.config === 'string' ? resolve(cwd, flags.config) : undefined;
  const file = explicitFile ?? (existsSync(resolve(cwd, DEFAULT_CONFIG_FILE)) ? resolve(cwd, DEFAULT_CONFIG_FILE) : undefined);
  const fromFile = file ? readYaml(file, problems) : {};

  const fromEnv: Raw = {};
  const fromFlags: Raw = {};
  for (const s of SETTINGS) {
    const envValue = env[s.env];
    if (envValue !== undefined && envValue !== '') {
      const { value, problem } = coerce(s, envValue);
      if (problem) problems.push({ path: `${s.path.join('.')} (${s.env})`, message: problem });
      else setPath(fromEnv, s.path, value);
    }
    const flagValue = flags[s.flag];
    if (flagValue === undefined) continue;
    if (typeof flagValue === 'boolean') setPath(fromFlags, s.path, flagValue);
    else {
      const text = Array.isArray(flagValue) ? flagValue.join(',') : flagValue;
      const { value, problem } = coerce(s, text);
      if (problem) problems.push({ path: `${s.path.join('.')} (--${s.flag})`, message: problem });
      else setPath(fromFlags, s.path, value);
    }
  }
  if (flags['no-mdns'] === true) setPath(fromFlags, ['discovery', 'mdns'], false);

  const merged = deepMerge(deepMerge(fromFile, fromEnv), fromFlags);
  // Parsed once a process: zod's compiled fast path (generated code for every nested object) would cost
  // more to build, 5-10 ms, than it saves.
  const result = ConfigSchema.safeParse(merged, { jitless: true });
  if (!result.success) {
    for (const issue of result.error.issues) problems.push({ path: formatPath(issue.path), message: issue.message });
  }
  const config = result.success ? result.data : undefined;
  if (config && config.p2p.bootstrap.length > 0) {
    const { multiaddr } = await import('@multiformats/multiaddr');
    config.p2p.bootstrap = config.p2p.bootstrap.map(normalizeBootstrap);
    config.p2p.bootstrap.forEach((entry, i) => {
      try {
        multiaddr(entry);
      } catch (error) {
        problems.push({ path: `p2p.bootstrap[${i}]`, message: `not a multiaddr or host:port (${(error as Error).message})` });
      }
    });
  }
  if (problems.length > 0 || !config) throw new ConfigError(problems);
  const command: LoadedConfig['command'] = {};
  if (typeof flags.out === 'string') command.out = flags.out;
  if (typeof flags.csv === 'string') command.csv = flags.csv;
  if (typeof flags.html === 'string') command.html = flags.html;
  if (typeof flags.baseline === 'string') command.baseline = flags.baseline;
  if (typeof flags.peer === 'string') command.peer = flags.peer;
  return { config, ...(file ? { file } : {}), positionals: parsed.positionals, help: flags.help === true, version: flags.version === true, command };
}

export function helpText(): string {
  const lines = [
    'Usage: node peer.js [command] [flags]',
    '',
    'Commands:',
    '  (none)                  start a peer and join the cluster',
    '  run PLAN [--out FILE] [--csv FILE] [--html FILE] [--baseline REPORT.json]',
    '                          run a plan (YAML or JSON) on this peer alone, print a report;',
    '                          exit 0 passed, 99 the gate failed (a threshold, a regression against',
    '                          --baseline, a medium or high security finding), 2 invalid plan or config, 1 failure',
    '  mcp [--peer URL]        an MCP server on stdio: joins the cluster as a peer of its own, or with',
    '                          --peer http://host:port speaks to a running peer\'s API (logs on stderr)',
    '  keygen                  print a new cluster key (the last line of the output)',
    '',
    'Flags (each also as an environment variable; flags > environment > YAML file > defaults):',
    `  --config FILE                     YAML configuration (default ./${DEFAULT_CONFIG_FILE} when present)`,
  ];
  for (const s of SETTINGS) {
    const flag = s.kind === 'bool' ? `--${s.flag} / --no-${s.flag}` : `--${s.flag} ${s.kind === 'list' ? 'A,B' : 'VALUE'}`;
    lines.push(`  ${flag.padEnd(32)}  ${s.env}: ${s.help}`);
  }
  lines.push('  --help                            this text', '  --version                         the version');
  return lines.join('\n');
}
