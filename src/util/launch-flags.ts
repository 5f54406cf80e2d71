// The Node and V8 flags this process runs with: its command line, NODE_OPTIONS, and those a command set
// as it started (src/cli/v8-flags.ts notes them in the environment, which worker threads inherit).

/** Where setV8FlagsFor notes the flags it set. */
export const RUNTIME_V8_FLAGS_ENV = 'MCP_RUNTIME_V8_FLAGS';

/** Every flag of this launch, in one string. */
export function launchFlags(): string {
  return [...process.execArgv.filter((a) => a.startsWith('-')), process.env.NODE_OPTIONS ?? '', process.env[RUNTIME_V8_FLAGS_ENV] ?? ''].join(' ');
}

/** Whether this launch has a flag, written with dashes or underscores (`--no-memory-reducer`). */
export function launchedWith(flag: string): boolean {
  return launchFlags().replaceAll('_', '-').split(/\s+/).includes(flag);
}
