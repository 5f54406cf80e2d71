// An incremental HTTP/1.1 response parser for the load engine's own client (h1-lane.ts). It reads only
// what a load generator needs: the status, where the response ends (Content-Length, chunked, HEAD, 1xx,
// 204/304, or the close of the connection) and whether the connection stays open. Bodies are skipped,
// never copied; a head line split across reads is the only thing kept between calls.

/** execute() consumed everything it was given and the response has not ended yet. */
export const NEED_MORE = -1;
/** The bytes are not an HTTP/1.x response (or exceed a limit): the connection cannot be trusted further. */
export const PROTOCOL_ERROR = -2;

/** Largest response head (status line and headers), as Node's and undici's default. */
export const MAX_HEAD_BYTES = 16_384;

const LF = 10;
const CR = 13;
const SP = 32;
const HT = 9;
const SEMICOLON = 59;

const HEAD = 0;
const BODY_LENGTH = 1;
const CHUNK_SIZE = 2;
const CHUNK_EXT = 3;
const CHUNK_DATA = 4;
const CHUNK_DATA_END = 5;
const TRAILERS = 6;
const BODY_UNTIL_CLOSE = 7;

/** What a head line did. */
const LINE_OK = 0;
const LINE_BAD = 1;
/** It ended a head that has no body: the response is complete. */
const LINE_ENDED = 2;

const bytesOf = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
// Lower-case names with their colon: a header line starts with one of them, in any case.
const CONTENT_LENGTH = bytesOf('content-length:');
const TRANSFER_ENCODING = bytesOf('transfer-encoding:');
const CONNECTION = bytesOf('connection:');
const KEEP_ALIVE = bytesOf('keep-alive:');
const CHUNKED = bytesOf('chunked');
const CLOSE = bytesOf('close');
const KEEP_ALIVE_TOKEN = bytesOf('keep-alive');
const TIMEOUT_PARAM = bytesOf('timeout=');
const HTTP_1 = bytesOf('http/1.');

/** Whether src[at..] starts with `lower`, ASCII letters compared without case. */
function startsWith(src: Uint8Array, at: number, end: number, lower: Uint8Array): boolean {
  if (end - at < lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    const c = src[at + i]!;
    const l = lower[i]!;
    if (c !== l && !(l >= 97 && l <= 122 && (c | 0x20) === l)) return false;
  }
  return true;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isSpace = (c: number) => c === SP || c === HT;

/** Value of a hexadecimal digit, or -1. */
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

export class ResponseParser {
  /** Status of the response being read (the final one: 1xx heads are skipped). */
  status = 0;
  /** Bytes of the current response read so far: heads, body and chunk framing. */
  bytes = 0;
  /** The connection may carry another request after this response. */
  keepAlive = true;
  /** Seconds the server keeps an idle connection (its Keep-Alive: timeout=N), or -1 when it did not say. */
  keepAliveS = -1;

  #state = HEAD;
  /** Lines of the current head seen (0: the status line is next). */
  #lines = 0;
  #headBytes = 0;
  #http10 = false;
  #saidClose = false;
  #saidKeepAlive = false;
  /** A Transfer-Encoding header came. */
  #codings = false;
  #chunked = false;
  #length = -1;
  /** Body bytes left (Content-Length or the current chunk). */
  #remaining = 0;
  /** Trailers: nothing but CR seen on the current line. */
  #blankLine = true;
  /** A head line begun in an earlier read. */
  #partial: Uint8Array = new Uint8Array(256);
  #partialLength = 0;

  /** Ready for a new response (after one ended, or on a new connection). */
  reset(): void {
    this.status = 0;
    this.bytes = 0;
    this.keepAlive = true;
    this.keepAliveS = -1;
    this.#state = HEAD;
    this.#partialLength = 0;
    this.#newHead();
  }

  #newHead(): void {
    this.#lines = 0;
    this.#headBytes = 0;
    this.#http10 = false;
    this.#saidClose = false;
    this.#saidKeepAlive = false;
    this.#codings = false;
    this.#chunked = false;
    this.#length = -1;
  }

  /** The response has begun (some of it was read). */
  get started(): boolean {
    return this.bytes > 0;
  }

  /**
   * Reads buf[pos..end) for the response to a request (`head`: a HEAD request, whose response has no
   * body). Returns the offset just after the response when it ended there (the rest belongs to the next
   * response), NEED_MORE when all was consumed, or PROTOCOL_ERROR.
   */
  execute(buf: Uint8Array, pos: number, end: number, head: boolean): number {
    const from = pos;
    while (pos < end) {
      switch (this.#state) {
        case HEAD: {
          let lf = pos;
          while (lf < end && buf[lf] !== LF) lf++;
          const taken = lf - pos + (lf < end ? 1 : 0);
          this.#headBytes += taken;
          if (this.#headBytes > MAX_HEAD_BYTES) return PROTOCOL_ERROR;
          if (lf === end) {
            this.#keep(buf, pos, end);
            pos = end;
            break;
          }
          let line: number;
          if (this.#partialLength > 0) {
            this.#keep(buf, pos, lf);
            line = this.#line(this.#partial, 0, this.#partialLength, head);
            this.#partialLength = 0;
          } else line = this.#line(buf, pos, lf, head);
          pos = lf + 1;
          if (line === LINE_BAD) return PROTOCOL_ERROR;
          if (line === LINE_ENDED) return this.#ended(pos, from);
          break;
        }
        case BODY_LENGTH: {
          const n = Math.min(end - pos, this.#remaining);
          pos += n;
          this.#remaining -= n;
          if (this.#remaining === 0) return this.#ended(pos, from);
          break;
        }
        case CHUNK_SIZE: {
          const c = buf[pos++]!;
          const v = hexValue(c);
          if (v >= 0) {
            this.#remaining = this.#remaining * 16 + v;
            if (this.#remaining > Number.MAX_SAFE_INTEGER / 16) return PROTOCOL_ERROR;
          } else if (c === LF) {
            if (!this.#sizeEnded()) return PROTOCOL_ERROR;
          } else if (c === CR || c === SEMICOLON || isSpace(c)) this.#state = CHUNK_EXT;
          else return PROTOCOL_ERROR;
          break;
        }
        case CHUNK_EXT: {
          // Chunk extensions are ignored up to the end of the size line.
          while (pos < end && buf[pos] !== LF) pos++;
          if (pos < end) {
            pos++;
            if (!this.#sizeEnded()) return PROTOCOL_ERROR;
          }
          break;
        }
        case CHUNK_DATA: {
          const n = Math.min(end - pos, this.#remaining);
          pos += n;
          this.#remaining -= n;
          if (this.#remaining === 0) this.#state = CHUNK_DATA_END;
          break;
        }
        case CHUNK_DATA_END: {
          const c = buf[pos++]!;
          if (c === LF) this.#state = CHUNK_SIZE;
          else if (c !== CR) return PROTOCOL_ERROR;
          break;
        }
        case TRAILERS: {
          const c = buf[pos++]!;
          if (++this.#headBytes > MAX_HEAD_BYTES) return PROTOCOL_ERROR;
          if (c === LF) {
            if (this.#blankLine) return this.#ended(pos, from);
            this.#blankLine = true;
          } else if (c !== CR) this.#blankLine = false;
          break;
        }
        case BODY_UNTIL_CLOSE:
          pos = end;
          break;
      }
    }
    this.bytes += end - from;
    return NEED_MORE;
  }

  /** The connection was closed by the server: whether that ends the response (a body read until the close). */
  endOfInput(): boolean {
    return this.#state === BODY_UNTIL_CLOSE;
  }

  #ended(pos: number, from: number): number {
    this.bytes += pos - from;
    this.#state = HEAD;
    return pos;
  }

  /** Keeps part of a head line until its end comes. */
  #keep(buf: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (this.#partialLength + n > this.#partial.length) {
      const grown = new Uint8Array(Math.min(MAX_HEAD_BYTES + 1, Math.max(this.#partialLength + n, this.#partial.length * 2)));
      grown.set(this.#partial.subarray(0, this.#partialLength));
      this.#partial = grown;
    }
    this.#partial.set(buf.subarray(from, to), this.#partialLength);
    this.#partialLength += n;
  }

  /** One line of a head, src[from..to) without its LF. */
  #line(src: Uint8Array, from: number, to: number, head: boolean): number {
    if (to > from && src[to - 1] === CR) to--;
    const n = this.#lines++;
    if (n === 0) {
      // An empty line before the status line is ignored (RFC 9112 2.2: a stray CRLF after a body).
      if (to === from) {
        this.#lines = 0;
        return LINE_OK;
      }
      return this.#statusLine(src, from, to) ? LINE_OK : LINE_BAD;
    }
    if (to === from) return this.#headEnded(head);
    const c = src[from]! | 0x20;
    if (c === 99 /* c */) {
      if (startsWith(src, from, to, CONTENT_LENGTH)) return this.#contentLength(src, from + CONTENT_LENGTH.length, to) ? LINE_OK : LINE_BAD;
      if (startsWith(src, from, to, CONNECTION)) this.#connection(src, from + CONNECTION.length, to);
    } else if (c === 116 /* t */) {
      if (startsWith(src, from, to, TRANSFER_ENCODING)) this.#transferEncoding(src, from + TRANSFER_ENCODING.length, to);
    } else if (c === 107 /* k */) {
      if (startsWith(src, from, to, KEEP_ALIVE)) this.#keepAliveParams(src, from + KEEP_ALIVE.length, to);
    }
    return LINE_OK;
  }

  /** `HTTP/1.x NNN[ reason]`. */
  #statusLine(src: Uint8Array, from: number, to: number): boolean {
    if (to - from < 12 || !startsWith(src, from, to, HTTP_1)) return false;
    const minor = src[from + 7]!;
    if ((minor !== 48 && minor !== 49) || src[from + 8] !== SP) return false;
    const a = src[from + 9]!;
    const b = src[from + 10]!;
    const c = src[from + 11]!;
    if (!isDigit(a) || !isDigit(b) || !isDigit(c) || (to - from > 12 && src[from + 12] !== SP)) return false;
    const status = (a - 48) * 100 + (b - 48) * 10 + (c - 48);
    if (status < 100) return false;
    this.status = status;
    this.#http10 = minor === 48;
    return true;
  }

  /** The blank line after the headers: where the body ends, if there is one. */
  #headEnded(head: boolean): number {
    const status = this.status;
    if (status < 200 && status !== 101) {
      // Informational (100 Continue, 103 Early Hints): the final response follows.
      this.#newHead();
      return LINE_OK;
    }
    this.keepAlive = this.#http10 ? this.#saidKeepAlive && !this.#saidClose : !this.#saidClose;
    // 101 Switching Protocols: the connection now speaks something else.
    if (status === 101) this.keepAlive = false;
    if (head || status === 204 || status === 304 || status === 101) return LINE_ENDED;
    if (this.#codings) {
      if (this.#chunked) {
        this.#state = CHUNK_SIZE;
        this.#remaining = 0;
        return LINE_OK;
      }
    } else if (this.#length === 0) return LINE_ENDED;
    else if (this.#length > 0) {
      this.#state = BODY_LENGTH;
      this.#remaining = this.#length;
      return LINE_OK;
    }
    // No length (or a coding other than chunked last): the body runs until the server closes.
    this.#state = BODY_UNTIL_CLOSE;
    this.keepAlive = false;
    return LINE_OK;
  }

  /** The end of a chunk-size line: data follows, or (size 0) the trailers. */
  #sizeEnded(): boolean {
    if (this.#remaining === 0) {
      this.#state = TRAILERS;
      this.#blankLine = true;
      this.#headBytes = 0;
    } else this.#state = CHUNK_DATA;
    return true;
  }

  #contentLength(src: Uint8Array, from: number, to: number): boolean {
    while (from < to && isSpace(src[from]!)) from++;
    while (to > from && isSpace(src[to - 1]!)) to--;
    if (from === to) return false;
    let n = 0;
    for (let i = from; i < to; i++) {
      const c = src[i]!;
      if (!isDigit(c)) return false;
      n = n * 10 + (c - 48);
    }
    if (n > Number.MAX_SAFE_INTEGER) return false;
    // Two Content-Length headers must agree.
    if (this.#length >= 0 && this.#length !== n) return false;
    this.#length = n;
    return true;
  }

  /** Chunked when `chunked` is the last coding; any other coding ends the body at the close. Either way Content-Length no longer counts. */
  #transferEncoding(src: Uint8Array, from: number, to: number): void {
    while (to > from && isSpace(src[to - 1]!)) to--;
    const at = to - CHUNKED.length;
    this.#codings = true;
    this.#chunked = at >= from && startsWith(src, at, to, CHUNKED) && (at === from || src[at - 1] === 44 || isSpace(src[at - 1]!));
  }

  /** Comma-separated tokens: `close`, `keep-alive`. */
  #connection(src: Uint8Array, from: number, to: number): void {
    let i = from;
    while (i < to) {
      while (i < to && (isSpace(src[i]!) || src[i] === 44)) i++;
      let j = i;
      while (j < to && src[j] !== 44 && !isSpace(src[j]!)) j++;
      if (j - i === CLOSE.length && startsWith(src, i, j, CLOSE)) this.#saidClose = true;
      else if (j - i === KEEP_ALIVE_TOKEN.length && startsWith(src, i, j, KEEP_ALIVE_TOKEN)) this.#saidKeepAlive = true;
      i = j;
    }
  }

  /** `timeout=N` of a Keep-Alive header. */
  #keepAliveParams(src: Uint8Array, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      if (!startsWith(src, i, to, TIMEOUT_PARAM)) continue;
      let n = 0;
      let j = i + TIMEOUT_PARAM.length;
      const start = j;
      while (j < to && isDigit(src[j]!)) n = n * 10 + (src[j++]! - 48);
      if (j > start) this.keepAliveS = n;
      return;
    }
  }
}
