// GET /api/executions/{id} of an ended execution answers the same bytes until the execution changes again
// (a late delta, a newer version): they are serialised once per revision, with an ETag, and a client that
// sends If-None-Match gets 304. A running execution's view moves with the clock (its report is as of now),
// so it is built on each read, from the report the results cache keeps up to date.
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { ExecutionView } from '../../execution/ports.js';
import type { HttpResult } from '../router.js';

interface Body {
  revision: number;
  text: string;
  etag: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';

export interface ExecutionBodiesLimits {
  /** Bodies held at most (default 64: a poll reads the few that just ended; older ones are built again). */
  bodies?: number;
  /** Bytes held at most, counted as UTF-16 (default 1 MiB). */
  bytes?: number;
}

/** An ended execution that is not a workload (a workload's view also shows its children, which change apart). */
export const cacheable = (view: ExecutionView) => view.doc.finished_at !== null && !view.doc.workload;

export class ExecutionBodies {
  readonly #bodies: LRUCache<string, Body>;

  constructor({ bodies = 64, bytes = 1024 * 1024 }: ExecutionBodiesLimits = {}) {
    this.#bodies = new LRUCache({ max: bodies, maxSize: bytes, sizeCalculation: (b) => 2 * b.text.length + 256 });
  }

  /** The answer for `view`: the body built before for this revision, else `build()` serialised and kept. */
  answer(view: ExecutionView, ifNoneMatch: string | undefined, build: () => unknown): HttpResult {
    const id = view.doc.execution_id;
    let body = this.#bodies.get(id);
    if (!body || body.revision !== view.revision) {
      const text = JSON.stringify(build());
      body = { revision: view.revision, text, etag: `"${createHash('sha1').update(text).digest('base64url')}"` };
      this.#bodies.set(id, body);
    }
    const headers = { etag: body.etag };
    if (ifNoneMatch !== undefined && matches(ifNoneMatch, body.etag)) return { status: 304, text: '', contentType: JSON_TYPE, headers };
    return { text: body.text, contentType: JSON_TYPE, headers };
  }

  held(): { bodies: number; bytes: number } {
    return { bodies: this.#bodies.size, bytes: this.#bodies.calculatedSize };
  }
}

/** If-None-Match: `*`, or a list of tags (weak ones compared weakly, as RFC 9110 asks for GET). */
function matches(header: string, etag: string): boolean {
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}
