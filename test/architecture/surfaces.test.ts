// Surfaces (HTTP, MCP, live feed, report, store, metrics) depend on contracts in src/, never on a role:
// the composition root hands them ports. Checked on the import lines of every file under those folders.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SURFACES = ['src/http', 'src/mcp', 'src/live', 'src/report', 'src/store', 'src/metrics', 'src/load'];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

describe('surfaces never import a role', () => {
  it.each(SURFACES)('%s imports nothing from actors/', (dir) => {
    const files = tsFiles(dir);
    expect(files.length).toBeGreaterThan(0);
    const offenders = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => /^\s*(import|export)\b.*from\s+['"][^'"]*\/actors\//.test(line))
        .map((line) => `${file}: ${line.trim()}`),
    );
    expect(offenders).toEqual([]);
  });
});
