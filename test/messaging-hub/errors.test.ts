import { describe, expect, it } from 'vitest';
import { McpError, ValidationError } from '../../src/errors.js';
import { RemoteError, WireError } from '../../src/protocol/frame.js';
import { TransportError } from '../../src/transport/errors.js';
import { MemoryNetwork } from '../../src/transport/memory.js';
import { DeadlineExceededError, codeOf, isPermanent } from '../../actors/messaging-hub/errors.js';
import { PermanentError } from '../../src/errors.js';
import { messagingHub } from '../../actors/messaging-hub/hub.js';

describe('isPermanent', () => {
  it.each<[string, unknown, string, boolean]>([
    ['transport timeout', new TransportError('TRANSPORT_TIMEOUT', 'x'), 'TRANSPORT_TIMEOUT', false],
    ['unreachable peer', new TransportError('TRANSPORT_UNREACHABLE', 'x'), 'TRANSPORT_UNREACHABLE', false],
    ['peer without the hub (yet)', new TransportError('TRANSPORT_NO_HANDLER', 'x'), 'TRANSPORT_NO_HANDLER', false],
    ['frame too large', new TransportError('TRANSPORT_FRAME_TOO_LARGE', 'x'), 'TRANSPORT_FRAME_TOO_LARGE', true],
    ['own transport stopped', new TransportError('TRANSPORT_STOPPED', 'x'), 'TRANSPORT_STOPPED', true],
    ['handler threw', new RemoteError('INTERNAL', 'boom'), 'INTERNAL', false],
    ['receiving hub restarting', new RemoteError('HUB_UNAVAILABLE', 'x'), 'HUB_UNAVAILABLE', false],
    ['handler said permanent', new RemoteError('PERMANENT_BAD_TASK', 'x'), 'PERMANENT_BAD_TASK', true],
    ['no handler for the kind', new RemoteError('HUB_UNKNOWN_KIND', 'x'), 'HUB_UNKNOWN_KIND', true],
    ['receiver cannot read the frame', new RemoteError('WIRE_INVALID_FRAME', 'x'), 'WIRE_INVALID_FRAME', true],
    ['sender cannot read the reply', new WireError('WIRE_INVALID_FRAME', 'reply', []), 'WIRE_INVALID_FRAME', true],
    ['local permanent error', new PermanentError('PERMANENT_PAYLOAD_NOT_JSON', 'x'), 'PERMANENT_PAYLOAD_NOT_JSON', true],
    ['other McpError', new McpError('SOMETHING', 'x'), 'SOMETHING', false],
    ['plain Error', new Error('x'), 'INTERNAL', false],
  ])('%s', (_, error, code, permanent) => {
    expect(codeOf(error)).toBe(code);
    expect(isPermanent(error)).toBe(permanent);
  });
});

describe('DeadlineExceededError', () => {
  it('names the peer, kind, mode, attempts and last cause', () => {
    const error = new DeadlineExceededError(
      { peer: 'b', kind: 'task.assign', mode: 'reliable', attempts: 4, cause_code: 'TRANSPORT_UNREACHABLE' },
      1_000,
      new TransportError('TRANSPORT_UNREACHABLE', 'no connection to b'),
    );
    expect(error.code).toBe('HUB_DEADLINE_EXCEEDED');
    expect(error.message).toBe(
      'task.assign to b (reliable) not acknowledged within 1000 ms after 4 attempt(s); last cause TRANSPORT_UNREACHABLE: no connection to b',
    );
  });
});

describe('messagingHub options', () => {
  it('reports every bad option at once', () => {
    const transport = new MemoryNetwork().createTransport('a');
    let error: unknown;
    try {
      messagingHub({ transport, messageTimeoutMs: 0, dedupMax: 0, backoff: { jitter: 2 } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe('HUB_INVALID_OPTIONS');
    expect((error as ValidationError).problems.map((p) => p.path)).toEqual(['messageTimeoutMs', 'dedupTtlMs', 'dedupMax', 'backoff.jitter']);
  });
});
