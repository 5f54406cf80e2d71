import { describe, expect, it } from 'vitest';
import { disconnected, emptyView, heard, left, tick, timingFor } from '../../actors/discovery/membership.js';
import type { MemberInfo } from '../../src/protocol/membership.js';

const info = (id: string, startedAt = 1_000): MemberInfo => ({
  node_id: id,
  http_url: `http://127.0.0.1/${id}`,
  addresses: [],
  roles: ['discovery'],
  capabilities: ['http_load'],
  location: 'local',
  version: '0.0.0',
  started_at: startedAt,
});

const timing = timingFor(1_000, { disconnectGraceMs: 500, cleanupAfterMs: 10_000 });

describe('membership view', () => {
  it('a silent member goes alive → suspect → dead → forgotten', () => {
    const view = emptyView();
    expect(heard(view, info('a'), 0)).toMatchObject([{ kind: 'joined' }]);
    const statusAt = (t: number) => {
      tick(view, t, timing);
      return view.members.get('a')?.status ?? 'gone';
    };
    expect(statusAt(2_499)).toBe('alive');
    expect(statusAt(2_500)).toBe('suspect');
    expect(statusAt(4_999)).toBe('suspect');
    expect(statusAt(5_000)).toBe('dead');
    expect(statusAt(14_999)).toBe('dead');
    expect(statusAt(15_000)).toBe('gone');
  });

  it('a heartbeat brings a suspect member back to alive', () => {
    const view = emptyView();
    heard(view, info('a'), 0);
    tick(view, 3_000, timing);
    expect(view.members.get('a')!.status).toBe('suspect');
    expect(heard(view, info('a'), 3_100)).toMatchObject([{ kind: 'status', from: 'suspect', member: { status: 'alive' } }]);
  });

  it('a closed connection makes a member suspect at once and dead after the grace', () => {
    const view = emptyView();
    heard(view, info('a'), 0);
    expect(disconnected(view, 'a', 100)).toMatchObject([{ kind: 'status', member: { status: 'suspect', suspected_for: 'disconnected' } }]);
    tick(view, 599, timing);
    expect(view.members.get('a')!.status).toBe('suspect');
    tick(view, 600, timing);
    expect(view.members.get('a')!.status).toBe('dead');
  });

  it('a graceful leave drops the member at once, and a late heartbeat of that incarnation does not resurrect it', () => {
    const view = emptyView();
    heard(view, info('a', 1_000), 0);
    expect(left(view, 'a', 1_000, 10)).toEqual([{ kind: 'left', node_id: 'a' }]);
    expect(view.members.has('a')).toBe(false);
    expect(heard(view, info('a', 1_000), 20)).toEqual([]);
    expect(view.members.has('a')).toBe(false);
    // A restart is a new incarnation and joins again.
    expect(heard(view, info('a', 2_000), 30)).toMatchObject([{ kind: 'joined' }]);
  });

  it('ignores frames from an older incarnation', () => {
    const view = emptyView();
    heard(view, info('a', 2_000), 0);
    expect(heard(view, info('a', 1_000), 10)).toEqual([]);
    expect(view.members.get('a')!.started_at).toBe(2_000);
  });

  it('a dead member that restarts becomes alive again', () => {
    const view = emptyView();
    heard(view, info('a', 1_000), 0);
    tick(view, 6_000, timing);
    expect(view.members.get('a')!.status).toBe('dead');
    expect(heard(view, info('a', 5_500), 6_100)).toMatchObject([{ kind: 'status', from: 'dead' }]);
  });
});
