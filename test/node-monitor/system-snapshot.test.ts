// The machine snapshot from /proc and statfs, read for real: no child process, figures in range.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { systemSnapshots } from '../../actors/node-monitor/system-snapshot.js';

describe('system snapshot', () => {
  it("gives the data directory's file system as df does, and network rates from the second reading on", async () => {
    const take = systemSnapshots(tmpdir());
    const first = await take();
    expect(first.disk_total_bytes).toBeGreaterThan(0);
    expect(first.disk_used_bytes).toBeGreaterThan(0);
    expect(first.disk_used_bytes).toBeLessThanOrEqual(first.disk_total_bytes);
    // df's Use% for the same path, within a point (files may change in between).
    const df = execFileSync('df', ['--output=pcent', tmpdir()], { encoding: 'utf8' }).split('\n')[1]!.trim();
    expect(Math.abs(first.disk_percent - Number(df.replace('%', '')))).toBeLessThanOrEqual(1);
    expect(first.network_rx_bytes_per_s).toBe(0); // no rate before a second reading
    expect(first.memory_total_bytes).toBeGreaterThan(first.memory_used_bytes);
    expect(first.cpu_cores).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 50));
    const second = await take();
    expect(second.network_rx_bytes_per_s).toBeGreaterThanOrEqual(0);
    expect(second.network_tx_bytes_per_s).toBeGreaterThanOrEqual(0);
  });

  it("the CPU figure is the machine's busy share since the previous sample, as /proc/stat counts it; memory is MemAvailable's complement", async () => {
    /** Busy and total jiffies of the aggregate `cpu` line (user nice system idle iowait irq softirq steal). */
    const stat = () => {
      const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 8).map(Number);
      const total = f.reduce((a, b) => a + b, 0);
      return { busy: total - f[3]! - f[4]!, total };
    };
    const take = systemSnapshots(tmpdir());
    await take();
    const before = stat();
    const until = performance.now() + 400;
    while (performance.now() < until); // keep one core busy
    const after = stat();
    const s = await take();
    const expected = ((after.busy - before.busy) / (after.total - before.total)) * 100;
    expect(s.cpu_percent).toBeGreaterThan(100 / s.cpu_cores / 2); // at least half of the core spun here
    expect(Math.abs(s.cpu_percent - expected)).toBeLessThan(15); // jiffies tick at 100 Hz, and others run meanwhile
    const available = Number(/MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'))![1]) * 1024;
    expect(Math.abs(s.memory_total_bytes - s.memory_used_bytes - available) / s.memory_total_bytes).toBeLessThan(0.02);
  });

  it('an unreadable data directory gives zeros for the disk, not a failed sample', async () => {
    const s = await systemSnapshots('/no/such/dir/anywhere')();
    expect(s).toMatchObject({ disk_percent: 0, disk_used_bytes: 0, disk_total_bytes: 0 });
  });
});
