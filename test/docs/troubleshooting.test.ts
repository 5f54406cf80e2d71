// docs/troubleshooting.md names variables, flags, routes, error codes and defaults: each must be true of
// the code, so the page cannot drift into advice for a system that no longer exists.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/lib/peer-process.js';
import { SETTINGS } from '../../src/config/settings.js';
import { loadConfig } from '../../src/config/load.js';
import { openApiDocument } from '../../src/http/openapi.js';
import { DEFAULTS } from '../../src/plan/load-task.js';
import { timingFor } from '../../actors/discovery/membership.js';

const doc = readFileSync(join(REPO_ROOT, 'docs', 'troubleshooting.md'), 'utf8');
const uniq = (re: RegExp) => [...new Set([...doc.matchAll(re)].map((m) => m[1]!))];
const source = readdirSync(join(REPO_ROOT, 'src'), { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith('.ts'))
  .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'));

describe('docs/troubleshooting.md is true of the code', () => {
  it('has the sections users look for', () => {
    for (const heading of ['(mDNS)', 'Timeouts', 'Allocation failures', 'Connectivity']) expect(doc).toMatch(new RegExp(`^## .*${heading.replace(/[()]/g, '\\$&')}`, 'm'));
  });

  it('every environment variable and flag it names exists', () => {
    const envs = uniq(/`(MCP_[A-Z_]+)`/g);
    expect(envs.length).toBeGreaterThan(5);
    expect(envs.filter((e) => !SETTINGS.some((s) => s.env === e))).toEqual([]);
    const flags = uniq(/`--([a-z0-9-]+)/g);
    expect(flags.filter((f) => f !== 'no-mdns' && !SETTINGS.some((s) => s.flag === f))).toEqual([]);
  });

  it('every route it names is in the API', () => {
    const paths = Object.keys((openApiDocument() as { paths: Record<string, unknown> }).paths);
    const routes = uniq(/`(?:GET|POST|DELETE) (\/[^`\s]*)`/g).map((r) => r.split('?')[0]!);
    expect(routes.length).toBeGreaterThan(4);
    expect(routes.filter((r) => !paths.includes(r))).toEqual([]);
  });

  it('every status and error code it names is answered by the code', () => {
    const pairs = [...doc.matchAll(/`(\d{3}) ([A-Z_]+)`/g)].map((m) => [m[1]!, m[2]!] as const);
    expect(pairs.length).toBeGreaterThan(6);
    const missing = pairs.filter(([status, code]) => !source.some((text) => text.includes(`'${code}'`) && text.includes(status)));
    expect(missing).toEqual([]);
  });

  it('the defaults it quotes are the defaults', async () => {
    const { config } = await loadConfig([], {}, REPO_ROOT);
    const timing = timingFor(config.communication.heartbeat_interval * 1_000);
    expect(doc).toContain(`\`suspect\` after ${timing.suspectAfterMs / (config.communication.heartbeat_interval * 1_000)} silent heartbeats, \`dead\` after ${timing.deadAfterMs / (config.communication.heartbeat_interval * 1_000)}`);
    expect(doc).toContain(`\`MCP_COMM_HEARTBEAT_INTERVAL\`, ${config.communication.heartbeat_interval} s`);
    expect(doc).toContain(`\`MCP_DISCOVERY_SERVICE_TIMEOUT\`\n  (${config.discovery.service_timeout} s)`);
    expect(doc).toContain(`\`MCP_COMM_MESSAGE_TIMEOUT\` (${config.communication.message_timeout} s)`);
    expect(doc).toContain(`\`resource_management.allocation_timeout\`, ${config.resource_management.allocation_timeout} s by default`);
    expect(doc).toContain(`(${DEFAULTS.timeoutS} s by default)`);
    expect(doc).toContain(`\`max_lateness\` (${DEFAULTS.maxLatenessS} s)`);
    expect(doc).toContain(`open the p2p port (${config.p2p.port})`);
  });
});
