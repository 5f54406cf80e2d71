// `npm run gen:schemas`: writes schema/plan.schema.json, schema/openapi.json and the reference pages in docs/ from the code
// (test/plan/plan-schema.test.ts fails when the shipped files differ from what this writes).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { planJsonSchema, workloadJsonSchema } from '../src/plan/json-schema.js';
import { openApiDocument } from '../src/http/openapi.js';
import { REPO_ROOT } from './lib/peer-process.js';
import { DOC_FILES } from './gen-docs.js';

export const SCHEMA_FILES = {
  'plan.schema.json': planJsonSchema,
  'workload.schema.json': workloadJsonSchema,
  'openapi.json': openApiDocument,
} as const;

export function schemaText(make: () => unknown): string {
  return JSON.stringify(make(), null, 2) + '\n';
}

if (process.argv[1]?.endsWith('gen-schemas.js')) {
  mkdirSync(join(REPO_ROOT, 'schema'), { recursive: true });
  for (const [file, make] of Object.entries(SCHEMA_FILES)) writeFileSync(join(REPO_ROOT, 'schema', file), schemaText(make));
  for (const [file, make] of Object.entries(DOC_FILES)) writeFileSync(join(REPO_ROOT, 'docs', file), make());
}
