import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, normalizeBootstrap } from '../../src/config/load.js';
import { PEER_JS } from '../../scripts/lib/peer-process.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcpdt-config-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const problemsOf = async (fn: () => Promise<unknown>) => {
  try {
    await fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration', () => {
  it('has working defaults with no file, env or flags', async () => {
    const { config } = await loadConfig([], {}, dir);
    expect(config.orchestrator).toMatchObject({ host: '127.0.0.1', port: 8080, log_level: 'info' });
    expect(config.discovery.mdns).toBe(true);
    expect(config.communication.heartbeat_interval).toBe(1);
    expect(config.node.capabilities).toEqual(['http_load']);
  });

  it('takes flags over environment over the YAML file over defaults', async () => {
    const file = join(dir, 'layered.yaml');
    await writeFile(file, 'orchestrator:\n  port: 9001\n  host: 0.0.0.0\np2p:\n  port: 5001\nnode:\n  location: from-file\n');
    const env = { MCP_ORCHESTRATOR_PORT: '9002', MCP_P2P_PORT: '5002', MCP_DISCOVERY_MDNS: 'false', MCP_ORCHESTRATOR_LOG_LEVEL: 'WARNING' };
    const { config, file: used } = await loadConfig(['--config', file, '--http-port', '9003'], env, dir);
    expect(used).toBe(file);
    expect(config.orchestrator.port).toBe(9003); // flag
    expect(config.p2p.port).toBe(5002); // env
    expect(config.orchestrator.host).toBe('0.0.0.0'); // file
    expect(config.node.location).toBe('from-file'); // file
    expect(config.discovery.mdns).toBe(false);
    expect(config.orchestrator.log_level).toBe('warn');
  });

  it('reads mcp_config.yaml from the working directory when present', async () => {
    const cwd = await mkdtemp(join(dir, 'cwd-'));
    await writeFile(join(cwd, 'mcp_config.yaml'), 'node:\n  capabilities: [a, b]\n');
    expect((await loadConfig([], {}, cwd)).config.node.capabilities).toEqual(['a', 'b']);
  });

  it('lists every problem with its field and source', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'orchestrator:\n  prot: 80\ncommunication:\n  heartbeat_interval: -1\n');
    const problems = await problemsOf(() =>
      loadConfig(['--config', file, '--p2p-port', 'abc'], { MCP_ORCHESTRATOR_PORT: '70000', MCP_DISCOVERY_MDNS: 'maybe', MCP_BOOTSTRAP: 'not an address' }, dir),
    );
    const text = problems.map((p) => `${p.path}: ${p.message}`).join('\n');
    expect(text).toContain('p2p.port (--p2p-port)');
    expect(text).toContain('discovery.mdns (MCP_DISCOVERY_MDNS)');
    expect(text).toContain('orchestrator.port');
    expect(text).toContain('prot');
    expect(text).toContain('communication.heartbeat_interval');
    expect(problems.length).toBeGreaterThanOrEqual(5);
  });

  it('checks bootstrap entries after normalising host:port', async () => {
    expect(normalizeBootstrap('127.0.0.1:4001')).toBe('/ip4/127.0.0.1/tcp/4001');
    expect(normalizeBootstrap('peer.example:4001')).toBe('/dns/peer.example/tcp/4001');
    expect(normalizeBootstrap('[::1]:4001')).toBe('/ip6/::1/tcp/4001');
    const { config } = await loadConfig(['--bootstrap', '127.0.0.1:4001', '--bootstrap', '/ip4/127.0.0.1/tcp/4002'], {}, dir);
    expect(config.p2p.bootstrap).toEqual(['/ip4/127.0.0.1/tcp/4001', '/ip4/127.0.0.1/tcp/4002']);
    expect((await problemsOf(() => loadConfig(['--bootstrap', '/ip4/nonsense'], {}, dir)))[0]!.path).toBe('p2p.bootstrap[0]');
  });

  it('node peer.js exits with code 2 and names each bad field', () => {
    const result = spawnSync(process.execPath, [PEER_JS, '--http-port', 'x'], {
      env: { ...process.env, MCP_DISCOVERY_MDNS: 'false', MCP_COMM_HEARTBEAT_INTERVAL: 'often' },
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('orchestrator.port (--http-port)');
    expect(result.stderr).toContain('communication.heartbeat_interval (MCP_COMM_HEARTBEAT_INTERVAL)');
  });

  it('node peer.js --help lists the flags and their environment variables', () => {
    const result = spawnSync(process.execPath, [PEER_JS, '--help'], { encoding: 'utf8', timeout: 15_000 });
    expect(result.status).toBe(0);
    for (const word of ['--http-port', 'MCP_ORCHESTRATOR_PORT', '--bootstrap', '--no-mdns', '--data-dir', 'MCP_COMM_HEARTBEAT_INTERVAL']) {
      expect(result.stdout).toContain(word);
    }
  });
});
