// The shipped schema files are exactly what the code generates, and the example plans point editors at them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SCHEMA_FILES, schemaText } from '../../scripts/gen-schemas.js';
import { DOC_FILES } from '../../scripts/gen-docs.js';
import { REPO_ROOT } from '../../scripts/lib/peer-process.js';
import { planJsonSchema } from '../../src/plan/json-schema.js';
import { parsePlan } from '../../src/plan/index.js';

describe('schema/', () => {
  it.each(Object.keys(SCHEMA_FILES))('%s matches the code (run `npm run build && npm run gen:schemas` after changing a schema)', (file) => {
    const shipped = readFileSync(join(REPO_ROOT, 'schema', file), 'utf8');
    expect(shipped).toBe(schemaText(SCHEMA_FILES[file as keyof typeof SCHEMA_FILES]));
  });

  it.each(Object.keys(DOC_FILES))('docs/%s matches the code', (file) => {
    expect(readFileSync(join(REPO_ROOT, 'docs', file), 'utf8')).toBe(DOC_FILES[file as keyof typeof DOC_FILES]());
  });

  it('the plan schema carries the rules of the zod schemas it comes from', () => {
    const schema = planJsonSchema() as { properties: { tasks: { items: { properties: { parameters: { properties: Record<string, { enum?: string[] }>; required: string[] } } } } } };
    const params = schema.properties.tasks.items.properties.parameters;
    expect(params.required).toEqual(['targets']);
    expect(params.properties.pattern!.enum).toContain('ramp_up');
    expect(Object.keys(params.properties)).toContain('max_lateness');
  });

  it('every YAML plan in examples/ is valid and names the schema for editors', () => {
    const plans = readdirSync(join(REPO_ROOT, 'examples')).filter((f) => /\.ya?ml$/.test(f));
    expect(plans.length).toBeGreaterThan(0);
    for (const file of plans) {
      const text = readFileSync(join(REPO_ROOT, 'examples', file), 'utf8');
      expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/plan.schema.json');
      expect(parsePlan(text, 'yaml').name).toBe((parse(text) as { name: string }).name);
    }
  });
});
