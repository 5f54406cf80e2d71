// deploy/ parses, and its parts agree with each other and with the peer (names, ports, variables, the
// bootstrap list): what no schema checker sees. The schema and lint checks are in checkers.test.ts.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../../scripts/lib/peer-process.js';
import { ConfigSchema } from '../../src/config/schema.js';
import { SETTINGS } from '../../src/config/settings.js';
import { loadTaskOf, validatePlan } from '../../src/plan/index.js';

const deploy = (...p: string[]) => join(REPO_ROOT, 'deploy', ...p);
const read = (...p: string[]) => readFileSync(deploy(...p), 'utf8');
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const k8s = (file: string): Obj => {
  const docs = parseAllDocuments(read('kubernetes', file));
  for (const d of docs) expect(d.errors, file).toEqual([]);
  return docs[0]!.toJS() as Obj;
};
const KNOWN_ENV = new Set(SETTINGS.map((s) => s.env));

describe('deploy/', () => {
  it('Dockerfile: multi-stage, runs as a non-root user, checks /api/health, sets only known variables', () => {
    const text = read('Dockerfile');
    expect(text.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/^USER node$/m);
    expect(text).toMatch(/HEALTHCHECK[\s\S]*\/api\/health/);
    for (const [, name] of text.matchAll(/^\s+(MCP_[A-Z_]+)=/gm)) expect(KNOWN_ENV.has(name!), name).toBe(true);
  });

  it("Dockerfile: the build stage copies everything `npm run build` reads", () => {
    const stage = read('Dockerfile').split(/^FROM /m)[1]!;
    const copied = new Set([...stage.matchAll(/^COPY (.+) \S+$/gm)].flatMap(([, sources]) => sources!.split(' ')));
    const root = (file: string) => JSON.parse(readFileSync(join(REPO_ROOT, file), 'utf8')) as Obj;
    const build = root('package.json').scripts.build as string;
    // tsc's project and what it includes, and every script the build runs that is not tsc's own output.
    const project = /tsc -p (\S+)/.exec(build)![1]!;
    const scripts = [...build.matchAll(/node (\S+)/g)].map(([, file]) => file!).filter((file) => !file.startsWith('dist/'));
    const needed = [project, 'tsconfig.json', ...(root(project).include as string[]), ...scripts.map((file) => file.split('/')[0]!)];
    expect(scripts).toContain('native/build.mjs');
    for (const path of needed) expect(copied.has(path), `${path} is not copied into the build stage`).toBe(true);
  });

  it('compose: 3 peers bootstrapping each other and a target, only known variables', () => {
    const compose = parse(read('compose.yaml'), { merge: true }) as Obj;
    const peers = Object.keys(compose.services).filter((s) => s.startsWith('peer'));
    expect(peers).toEqual(['peer1', 'peer2', 'peer3']);
    expect(compose.services.target).toBeDefined();
    for (const p of peers) {
      const env = compose.services[p].environment as Record<string, string>;
      expect(env.MCP_BOOTSTRAP.split(',').map((e) => e.split(':')[0]).sort()).toEqual(peers);
      for (const name of Object.keys(env)) expect(KNOWN_ENV.has(name), name).toBe(true);
    }
    expect(loadTaskOf(validatePlan(JSON.parse(read('demo-plan.json'))).tasks[0]!)!.targets[0]!.url).toBe('http://target:8000/');
  });

  it('Kubernetes: the StatefulSet bootstraps through its headless Service, mounts the ConfigMap and Secrets, and the PDB keeps a majority', () => {
    const service = k8s('service.yaml');
    const set = k8s('statefulset.yaml');
    const config = k8s('configmap.yaml');
    const secret = k8s('secret.yaml');
    const pdb = k8s('pdb.yaml');
    expect(service.spec.clusterIP).toBe('None');
    expect(set.spec.serviceName).toBe(service.metadata.name);
    expect(set.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    expect(pdb.spec.minAvailable).toBe(Math.floor(set.spec.replicas / 2) + 1);
    const file = parse(config.data['mcp_config.yaml']) as unknown;
    const parsed = ConfigSchema.safeParse(file);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    const expected = Array.from({ length: set.spec.replicas }, (_, i) => `${set.metadata.name}-${i}.${service.metadata.name}:4001`);
    expect(parsed.data!.p2p.bootstrap).toEqual(expected);
    const container = set.spec.template.spec.containers[0];
    expect(set.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    for (const e of container.env) expect(KNOWN_ENV.has(e.name), e.name).toBe(true);
    const secretKeys = Object.keys(secret.stringData);
    expect(container.env.find((e: Obj) => e.name === 'MCP_API_TOKEN').valueFrom.secretKeyRef).toEqual({ name: secret.metadata.name, key: 'api-token' });
    expect(secretKeys).toEqual(['api-token', 'cluster-key']);
    expect(container.readinessProbe.httpGet.path).toBe('/api/health');
    const kustomization = parse(read('kubernetes', 'kustomization.yaml')) as Obj;
    expect(kustomization.resources.sort()).toEqual(['configmap.yaml', 'pdb.yaml', 'secret.yaml', 'service.yaml', 'statefulset.yaml']);
  });

  it('Prometheus scrapes /metrics of the compose peers and the Kubernetes pods', () => {
    const prom = parse(read('prometheus.yml')) as Obj;
    expect(prom.scrape_configs.map((c: Obj) => c.job_name)).toEqual(['mcp-peer-compose', 'mcp-peer-kubernetes']);
    expect(prom.scrape_configs[0].static_configs[0].targets).toEqual(['peer1:8080', 'peer2:8080', 'peer3:8080']);
  });

  // promtool comes with Debian's prometheus package, which .ci/run installs.
  it.runIf(hasPromtool())('promtool accepts the Prometheus configuration', () => {
    expect(execFileSync('promtool', ['check', 'config', deploy('prometheus.yml')], { encoding: 'utf8' })).toContain('SUCCESS');
  });
});

function hasPromtool(): boolean {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    console.warn('promtool not installed: the Prometheus configuration is only parsed');
    return false;
  }
}
