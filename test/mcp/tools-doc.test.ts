// The MCP tools as documented: docs/mcp-tools.md is what the generator writes from src/mcp/tools.ts
// (checked with every generated page in test/plan/plan-schema.test.ts); here, that it names every tool
// and its fields, and that the README's tool table and docs index agree with the code and the files.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/lib/peer-process.js';
import { TOOLS } from '../../src/mcp/tools.js';
import { mcpToolsDoc } from '../../scripts/gen-mcp-doc.js';

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

describe('docs/mcp-tools.md', () => {
  it('is up to date with the tool table', () => {
    expect(readFileSync(join(REPO_ROOT, 'docs', 'mcp-tools.md'), 'utf8')).toBe(mcpToolsDoc());
  });

  it.each(TOOLS.map((t) => [t.name, t] as const))('documents %s with every input field', (name, tool) => {
    const doc = mcpToolsDoc();
    const section = doc.slice(doc.indexOf(`## \`${name}\``), doc.indexOf('\n## ', doc.indexOf(`## \`${name}\``) + 1));
    expect(section).toContain(tool.description);
    for (const field of Object.keys(tool.input.shape)) expect(section).toContain(`| \`${field}\` |`);
    for (const field of Object.keys(tool.output.shape)) expect(section).toContain(`| \`${field}\` |`);
  });

  it('the README lists exactly the tools there are', () => {
    const table = readme.slice(readme.indexOf('### Tools'), readme.indexOf('### Guardrails for agents'));
    const listed = [...table.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
    expect(listed.sort()).toEqual(TOOLS.map((t) => t.name).sort());
  });

  it("every page the README's docs index links exists", () => {
    const links = [...readme.matchAll(/\]\((docs\/[\w-]+\.md)\)/g)].map((m) => m[1]!);
    expect(links).toContain('docs/mcp-tools.md');
    expect(links.filter((l) => !existsSync(join(REPO_ROOT, l)))).toEqual([]);
  });
});
