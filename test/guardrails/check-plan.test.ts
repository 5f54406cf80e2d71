import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/schema.js';
import { checkPlan, parseAllowEntry, policyFromConfig, type GuardPolicy } from '../../src/guardrails/index.js';
import { validatePlan } from '../../src/plan/index.js';

function policy(over: { allowed?: string[]; whenUnset?: 'any' | 'loopback'; limits?: Record<string, number>; ownPorts?: number[] } = {}): GuardPolicy {
  const config = ConfigSchema.parse({ security: { allowed_targets: over.allowed ?? [] }, limits: over.limits ?? {} });
  const { policy, problems } = policyFromConfig(config, { whenUnset: over.whenUnset ?? 'any', ...(over.ownPorts ? { ownPorts: over.ownPorts } : {}) });
  expect(problems).toEqual([]);
  return policy;
}

function plan(params: Record<string, unknown> = {}, tasks = 1) {
  const parameters = { targets: [{ url: 'http://127.0.0.1:9000/' }], duration: 2, base_rps: 10, ...params };
  return validatePlan({ name: 'p', tasks: Array.from({ length: tasks }, () => ({ type: 'load_test', parameters })) });
}

const at = (url: string) => plan({ targets: [{ url }] });

describe('allow-list entries', () => {
  it.each([
    ['api.example.com', 'name'],
    ['api.example.com:8443', 'name'],
    ['*.example.com', 'wildcard'],
    ['10.0.0.0/8', 'net'],
    ['10.1.2.3', 'net'],
    ['10.1.2.3:80', 'net'],
    ['fd00::/8', 'net'],
    ['::1', 'net'],
    ['[::1]:8080', 'net'],
  ])('%s is a %s entry', (text, kind) => {
    const entry = parseAllowEntry(text);
    expect(typeof entry).toBe('object');
    expect((entry as { kind: string }).kind).toBe(kind);
  });
  it.each(['10.0.0.0/33', 'host:99999', 'a b', '::1/129', 'http://x/'])('%s is refused', (text) => {
    expect(typeof parseAllowEntry(text)).toBe('string');
  });
  it('a bad entry is a configuration problem naming the setting and index', () => {
    const result = ConfigSchema.safeParse({ security: { allowed_targets: ['ok.example', '10.0.0.0/40'] } });
    expect(result.success).toBe(false);
    expect(result.error!.issues).toEqual([expect.objectContaining({ path: ['security', 'allowed_targets', 1], message: expect.stringContaining('/40') })]);
  });
});

describe('targets', () => {
  const cases: Array<[string, string, Parameters<typeof policy>[0], string | undefined]> = [
    ['any target when the list is unset (REST)', 'http://10.9.9.9/', {}, undefined],
    ['loopback only when unset (MCP)', 'http://10.9.9.9/', { whenUnset: 'loopback' }, 'TARGET_NOT_ALLOWED'],
    ['loopback passes when unset (MCP)', 'http://127.0.0.1:9000/', { whenUnset: 'loopback' }, undefined],
    ['localhost passes when unset (MCP)', 'http://localhost:9000/', { whenUnset: 'loopback' }, undefined],
    ['IPv6 loopback passes when unset (MCP)', 'http://[::1]:9000/', { whenUnset: 'loopback' }, undefined],
    ['in a CIDR', 'http://10.1.2.3/', { allowed: ['10.0.0.0/8'] }, undefined],
    ['outside every entry', 'http://192.168.1.1/', { allowed: ['10.0.0.0/8'] }, 'TARGET_NOT_ALLOWED'],
    ['host:port matches only its port', 'http://api.example.com:81/', { allowed: ['api.example.com:80'] }, 'TARGET_NOT_ALLOWED'],
    ['host:port with its port', 'http://api.example.com/', { allowed: ['api.example.com:80'] }, undefined],
    ['wildcard', 'https://a.b.example.com/', { allowed: ['*.example.com'] }, undefined],
    ['IPv6 CIDR', 'http://[fd00::5]:8080/', { allowed: ['fd00::/8'] }, undefined],
    ['IPv6 outside CIDR', 'http://[fe00::5]:8080/', { allowed: ['fd00::/8'] }, 'TARGET_NOT_ALLOWED'],
    ['metadata address with no list', 'http://169.254.169.254/latest/meta-data', {}, 'TARGET_NOT_ALLOWED'],
    ['metadata as IPv4-mapped IPv6', 'http://[::ffff:169.254.169.254]/', {}, 'TARGET_NOT_ALLOWED'],
    ['metadata as a decimal IPv4', 'http://2852039166/', {}, 'TARGET_NOT_ALLOWED'],
    ['metadata by name', 'http://metadata.google.internal/', {}, 'TARGET_NOT_ALLOWED'],
    ['metadata under a broad CIDR', 'http://169.254.169.254/', { allowed: ['0.0.0.0/0'] }, 'TARGET_NOT_ALLOWED'],
    ['metadata allow-listed explicitly', 'http://169.254.169.254/', { allowed: ['169.254.169.254'] }, undefined],
    ['link-local IPv6', 'http://[fe80::1]/', {}, 'TARGET_NOT_ALLOWED'],
    ['link-local allowed by its own range', 'http://169.254.3.4/', { allowed: ['169.254.0.0/16'] }, undefined],
    ['AWS IPv6 metadata', 'http://[fd00:ec2::254]/', { allowed: ['fd00::/8'] }, 'TARGET_NOT_ALLOWED'],
    ['own status port', 'http://127.0.0.1:8080/api/executions', { ownPorts: [8080, 4001] }, 'TARGET_IS_PEER'],
    ['own p2p port by localhost', 'http://localhost:4001/', { ownPorts: [8080, 4001] }, 'TARGET_IS_PEER'],
    ['own port via 0.0.0.0', 'http://0.0.0.0:8080/', { ownPorts: [8080, 4001] }, 'TARGET_IS_PEER'],
    ['another port of this host', 'http://127.0.0.1:8081/', { ownPorts: [8080, 4001] }, undefined],
  ];
  it.each(cases)('%s', (_, url, over, code) => {
    const problems = checkPlan(at(url), policy(over));
    if (code === undefined) expect(problems).toEqual([]);
    else {
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ code, path: 'tasks[0].parameters.targets[0].url' });
      expect(problems[0]!.setting).toMatch(/MCP_/);
    }
  });

  it('a host name is let through a CIDR only by what it resolved to', () => {
    const p = at('http://svc.internal:8080/');
    const pol = policy({ allowed: ['10.0.0.0/8'] });
    expect(checkPlan(p, pol)).toHaveLength(1);
    expect(checkPlan(p, pol, new Map([['svc.internal', ['10.0.0.7']]]))).toEqual([]);
    expect(checkPlan(p, pol, new Map([['svc.internal', ['10.0.0.7', '8.8.8.8']]]))).toHaveLength(1);
    // A name that resolves to the metadata service is refused even with no list.
    expect(checkPlan(p, policy(), new Map([['svc.internal', ['169.254.169.254']]]))[0]).toMatchObject({ code: 'TARGET_NOT_ALLOWED' });
  });
});

describe('caps', () => {
  const cases: Array<[string, Record<string, unknown>, number, Record<string, number>, string, string]> = [
    ['rate', { base_rps: 5000 }, 1, { max_rps: 1000 }, 'tasks[0].parameters.base_rps', 'limits.max_rps'],
    ['peak rate', { base_rps: 10, peak_rps: 5000, pattern: 'ramp_up' }, 1, { max_rps: 1000 }, 'tasks[0].parameters.peak_rps', 'limits.max_rps'],
    ['stages', { duration: undefined, stages: [{ duration: 1, target: 5000 }] }, 1, { max_rps: 1000 }, 'tasks[0].parameters.stages', 'limits.max_rps'],
    ['duration', { duration: 120 }, 1, { max_duration: 60 }, 'tasks[0].parameters.duration', 'limits.max_duration'],
    ['task timeout', { duration: 120 }, 1, {}, 'tasks[0].parameters.duration', 'orchestrator.task_timeout'],
    ['connections', { connections: 500 }, 1, { max_connections: 100 }, 'tasks[0].parameters.connections', 'limits.max_connections'],
    ['users', { base_rps: undefined, concurrent_users: 500 }, 1, { max_connections: 100, max_total_requests: 1e12 }, 'tasks[0].parameters.concurrent_users', 'limits.max_connections'],
    ['tasks', {}, 3, { max_tasks_per_plan: 2 }, 'tasks', 'limits.max_tasks_per_plan'],
    ['targets', { targets: [{ url: 'http://127.0.0.1:1/' }, { url: 'http://127.0.0.1:2/' }] }, 1, { max_targets_per_task: 1 }, 'tasks[0].parameters.targets', 'limits.max_targets_per_task'],
    ['total requests', { base_rps: 100, duration: 100 }, 1, { max_total_requests: 5000 }, '(root)', 'limits.max_total_requests'],
    ['body bytes', { targets: [{ url: 'http://127.0.0.1:1/', body: 'x'.repeat(2000) }] }, 1, { max_body_bytes: 1000 }, '(root)', 'limits.max_body_bytes'],
  ];
  it.each(cases)('%s over its cap is refused with field, value, cap and setting', (_, params, tasks, limits, path, setting) => {
    const config = ConfigSchema.parse({ limits, orchestrator: { task_timeout: _ === 'task timeout' ? 60 : 3600 } });
    const { policy: pol } = policyFromConfig(config, { whenUnset: 'any' });
    const problems = checkPlan(plan(params, tasks), pol);
    const expectedPath = path === '(root)' ? (tasks === 1 ? 'tasks[0].parameters' : 'tasks') : path;
    const problem = problems.find((p) => p.setting.startsWith(setting));
    expect(problem, JSON.stringify(problems)).toBeDefined();
    expect(problem).toMatchObject({ code: 'CAP_EXCEEDED', path: expectedPath });
    expect(typeof problem!.value).toBe('number');
    expect(typeof problem!.limit).toBe('number');
    expect(problem!.message).toContain(String(problem!.limit));
  });

  it('a plan within every cap passes', () => {
    expect(checkPlan(plan({}, 2), policy())).toEqual([]);
  });

  it('the body cap cannot exceed what one wire frame carries', () => {
    expect(ConfigSchema.safeParse({ limits: { max_body_bytes: 4 * 1024 * 1024 } }).success).toBe(false);
  });
});
