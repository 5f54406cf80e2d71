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

  it('the plan schema carries the rules of the zod schemas it comes from, one schema per task type', () => {
    type Params = { properties: Record<string, { enum?: string[]; const?: unknown }>; required: string[] };
    const schema = planJsonSchema() as { properties: { tasks: { items: { oneOf: Array<{ properties: { type: { const: string }; parameters: Params } }> } } } };
    const byType = new Map(schema.properties.tasks.items.oneOf.map((t) => [t.properties.type.const, t.properties.parameters]));
    expect([...byType.keys()]).toEqual(['load_test', 'performance_test', 'stress_test', 'security_test']);
    const load = byType.get('load_test')!;
    expect(load.required).toEqual(['targets']);
    expect(load.properties.pattern!.enum).toContain('ramp_up');
    expect(Object.keys(load.properties)).toContain('max_lateness');
    expect(Object.keys(byType.get('performance_test')!.properties)).toContain('baseline');
    expect(byType.get('stress_test')!.required).toEqual(expect.arrayContaining(['targets', 'start_rps', 'step_rps', 'max_rps', 'step_duration', 'slo']));
    const security = byType.get('security_test')!;
    expect(security.required).toEqual(expect.arrayContaining(['target', 'authorized']));
    expect(security.properties.authorized!.const).toBe(true);
    expect(security.properties.scan_types).toBeDefined();
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
