// The machine snapshot from /proc and statfs, read for real: no child process, figures in range.
import { execFileSync } from 'node:child_process';
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

  it('an unreadable data directory gives zeros for the disk, not a failed sample', async () => {
    const s = await systemSnapshots('/no/such/dir/anywhere')();
    expect(s).toMatchObject({ disk_percent: 0, disk_used_bytes: 0, disk_total_bytes: 0 });
  });
});
