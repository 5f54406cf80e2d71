import { describe, expect, it } from 'vitest';
import { MAX_HEAD_BYTES, NEED_MORE, PROTOCOL_ERROR, ResponseParser } from '../../actors/load-generator/h1-response.js';

interface Parsed {
  status: number;
  bytes: number;
  keepAlive: boolean;
  keepAliveS: number;
}

/**
 * Feeds `wire` in pieces cut at `cuts` (offsets), as reads from a socket would come, and collects the
 * responses that end; `heads` says which requests were HEAD. Also returns what was left unfinished.
 */
function parse(wire: string | Uint8Array, cuts: number[] = [], heads: boolean[] = []): { responses: Parsed[]; error: boolean; pending: boolean; parser: ResponseParser } {
  const bytes = typeof wire === 'string' ? Buffer.from(wire, 'latin1') : wire;
  const parser = new ResponseParser();
  parser.reset();
  const responses: Parsed[] = [];
  const edges = [0, ...cuts.filter((c) => c > 0 && c < bytes.length), bytes.length];
  for (let i = 0; i + 1 < edges.length; i++) {
    // Each read lands in a fresh buffer (with junk around it) as in the shared read buffer.
    const piece = bytes.subarray(edges[i], edges[i + 1]);
    const buf = new Uint8Array(piece.length + 8).fill(0x41);
    buf.set(piece, 4);
    let pos = 4;
    const end = 4 + piece.length;
    while (pos < end) {
      const at = parser.execute(buf, pos, end, heads[responses.length] ?? false);
      if (at === PROTOCOL_ERROR) return { responses, error: true, pending: false, parser };
      if (at === NEED_MORE) break;
      responses.push({ status: parser.status, bytes: parser.bytes, keepAlive: parser.keepAlive, keepAliveS: parser.keepAliveS });
      parser.reset();
      pos = at;
    }
  }
  return { responses, error: false, pending: parser.started, parser };
}

const ok = (body: string, extra = '') => `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n${extra}content-length: ${body.length}\r\n\r\n${body}`;
const chunked = (chunks: string[], trailers = '') => `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${chunks.map((c) => `${c.length.toString(16)}\r\n${c}\r\n`).join('')}0\r\n${trailers}\r\n`;

describe('HTTP/1.1 response parser', () => {
  // wire, heads, expected [status, keepAlive] per response
  const cases: [string, string, boolean[], [number, boolean][]][] = [
    ['content-length', ok('hello'), [], [[200, true]]],
    ['empty body', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', [], [[200, true]]],
    ['no reason phrase', 'HTTP/1.1 404\r\ncontent-length: 2\r\n\r\nno', [], [[404, true]]],
    ['bare LF line ends', 'HTTP/1.1 200 OK\ncontent-length: 2\n\nok', [], [[200, true]]],
    ['chunked', chunked(['abc', 'defgh', 'x'.repeat(300)]), [], [[200, true]]],
    ['chunked, extensions and trailers', 'HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\n\r\n3;name=value\r\nabc\r\nA ; x\r\n0123456789\r\n0\r\nx-trailer: 1\r\nx-other: 2\r\n\r\n', [], [[200, true]]],
    ['chunked wins over content-length', 'HTTP/1.1 200 OK\r\ncontent-length: 999\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n', [], [[200, true]]],
    ['HEAD: no body whatever the length says', 'HTTP/1.1 200 OK\r\ncontent-length: 1234\r\n\r\n', [true], [[200, true]]],
    ['204 and 304 have no body', 'HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\ncontent-length: 50\r\n\r\n', [], [[204, true], [304, true]]],
    ['1xx heads are skipped', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 1\r\n\r\nx', [], [[201, true]]],
    ['connection: close', ok('bye', 'Connection: Close\r\n'), [], [[200, false]]],
    ['connection tokens', ok('x', 'connection: upgrade, close\r\n'), [], [[200, false]]],
    ['HTTP/1.0 closes by default', 'HTTP/1.0 200 OK\r\ncontent-length: 1\r\n\r\nx', [], [[200, false]]],
    ['HTTP/1.0 with keep-alive', 'HTTP/1.0 200 OK\r\nconnection: keep-alive\r\ncontent-length: 1\r\n\r\nx', [], [[200, true]]],
    ['a stray CRLF before the status line', `${ok('a')}\r\n${ok('b')}`, [], [[200, true], [200, true]]],
    ['101 ends the connection', 'HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\n\r\n', [], [[101, false]]],
    [
      'pipelined responses, mixed framing',
      `${ok('one')}${chunked(['two', '2'])}HTTP/1.1 204 No Content\r\n\r\n${ok('', '')}HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\n`,
      [false, false, false, false, true],
      [[200, true], [200, true], [204, true], [200, true], [200, true]],
    ],
  ];

  it.each(cases)('%s, read whole and split at every byte boundary', (_, wire, heads, expected) => {
    const whole = parse(wire, [], heads);
    expect(whole.error).toBe(false);
    expect(whole.responses.map((r) => [r.status, r.keepAlive])).toEqual(expected);
    // Every response's bytes, framing and skipped 1xx heads included, add up to the wire.
    expect(whole.responses.reduce((n, r) => n + r.bytes, 0)).toBe(wire.length);
    for (let cut = 1; cut < wire.length; cut++) {
      const split = parse(wire, [cut], heads);
      expect(split.responses, `cut at ${cut}`).toEqual(whole.responses);
    }
    // One byte per read.
    expect(parse(wire, Array.from(wire, (_, i) => i), heads).responses).toEqual(whole.responses);
  });

  it('reads a large chunked body in many reads of odd sizes', () => {
    const chunks = Array.from({ length: 200 }, (_, i) => 'y'.repeat(1 + ((i * 7919) % 4000)));
    const wire = chunked(chunks, 'x-t: 1\r\n');
    const cuts = Array.from({ length: 400 }, (_, i) => (i * 1237) % wire.length).sort((a, b) => a - b);
    const { responses, error } = parse(wire, cuts);
    expect(error).toBe(false);
    expect(responses).toEqual([{ status: 200, bytes: wire.length, keepAlive: true, keepAliveS: -1 }]);
  });

  it('reads a large body by length', () => {
    const body = 'z'.repeat(1_000_000);
    const wire = ok(body);
    const { responses } = parse(wire, [100, 65_536, 131_072, 999_999]);
    expect(responses).toEqual([{ status: 200, bytes: wire.length, keepAlive: true, keepAliveS: -1 }]);
  });

  it('ends a body without length at the close of the connection', () => {
    const wire = 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil the end';
    const { responses, pending, parser } = parse(wire, [20, 50]);
    expect(responses).toEqual([]);
    expect(pending).toBe(true);
    expect(parser.endOfInput()).toBe(true);
    expect(parser).toMatchObject({ status: 200, bytes: wire.length, keepAlive: false });
    // A body with a length does not end at a close: it was cut short.
    const cut = parse(ok('0123456789').slice(0, -3));
    expect(cut.pending).toBe(true);
    expect(cut.parser.endOfInput()).toBe(false);
    // A coding other than chunked last: until the close as well.
    expect(parse('HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\ncontent-length: 5\r\n\r\nabcdefgh').parser.endOfInput()).toBe(true);
  });

  it('reads the keep-alive timeout the server announces', () => {
    expect(parse(ok('x', 'Keep-Alive: timeout=5, max=1000\r\n')).responses[0]).toMatchObject({ keepAliveS: 5, keepAlive: true });
    expect(parse(ok('x', 'keep-alive: max=10\r\n')).responses[0]).toMatchObject({ keepAliveS: -1 });
  });

  it.each([
    ['not HTTP', 'SSH-2.0-OpenSSH_9.6\r\n\r\n'],
    ['HTTP/2 preface answer', 'HTTP/2 200\r\n\r\n'],
    ['status not three digits', 'HTTP/1.1 20 OK\r\n\r\n'],
    ['status below 100', 'HTTP/1.1 099 Odd\r\n\r\n'],
    ['bad content-length', 'HTTP/1.1 200 OK\r\ncontent-length: 12a\r\n\r\n'],
    ['empty content-length', 'HTTP/1.1 200 OK\r\ncontent-length: \r\n\r\n'],
    ['conflicting content-lengths', 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\nok'],
    ['bad chunk size', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n'],
    ['chunk data not followed by CRLF', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nokX\r\n0\r\n\r\n'],
  ])('rejects %s', (_, wire) => {
    expect(parse(wire).error).toBe(true);
    for (let cut = 1; cut < wire.length; cut++) expect(parse(wire, [cut]).error, `cut at ${cut}`).toBe(true);
  });

  it('accepts two equal content-lengths', () => {
    expect(parse('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nContent-Length: 2\r\n\r\nok').responses).toHaveLength(1);
  });

  it('rejects a head larger than the limit, however it is split', () => {
    const big = `HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(MAX_HEAD_BYTES)}\r\ncontent-length: 0\r\n\r\n`;
    expect(parse(big).error).toBe(true);
    expect(parse(big, Array.from({ length: 40 }, (_, i) => i * 500)).error).toBe(true);
    // Just under it is fine, also in many pieces.
    const header = 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\nx-big: ';
    const fits = `${header}${'a'.repeat(MAX_HEAD_BYTES - header.length - 4)}\r\n\r\n`;
    expect(fits.length).toBe(MAX_HEAD_BYTES);
    expect(parse(fits, Array.from({ length: 40 }, (_, i) => i * 411)).responses).toHaveLength(1);
  });

  it('rejects endless trailers', () => {
    const wire = `HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\n${'x-t: 1\r\n'.repeat(MAX_HEAD_BYTES / 8 + 1)}\r\n`;
    expect(parse(wire).error).toBe(true);
  });
});
