/**
 * Pull requests (`$JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>`): their body, and the queue of requests
 * waiting for messages. Requests are served round robin, one message at a time, so many concurrent
 * pullers share a consumer fairly (as nats-server does: a request with more to receive goes to the back).
 */

/** A pull request's priority-group fields (ADR-42). */
export interface PullGroup {
  group: string;
  minPending: number;
  minAckPending: number;
  id: string;
  priority: number;
}

/** A parsed request body. Durations are in ms here; 0 means unset. */
export interface PullParams {
  batch: number;
  maxBytes: number;
  expiresMs: number;
  noWait: boolean;
  heartbeatMs: number;
  group: PullGroup | undefined;
}

export class PullParseError extends Error {}

type Obj = Record<string, unknown>;

function intField(o: Obj, k: string, type: string): number {
  const v = o[k];
  if (v === undefined || v === null) return 0;
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new PullParseError(`json: cannot unmarshal ${typeof v === "string" ? "string" : typeof v === "number" ? "number " + String(v) : typeof v} into Go struct field JSApiConsumerGetNextRequest.${k} of type ${type}`);
  }
  return v;
}

/** Parses an empty body (batch 1), a bare number (batch size) or the JSON request. */
export function parsePullRequest(body: Buffer): PullParams {
  const text = body.toString("utf8").trim();
  const p: PullParams = { batch: 1, maxBytes: 0, expiresMs: 0, noWait: false, heartbeatMs: 0, group: undefined };
  if (text === "") return p;
  if (text[0] !== "{") {
    if (/^[+-]?\d+$/.test(text)) p.batch = Number(text);
    return p;
  }
  let o: Obj;
  try {
    o = JSON.parse(text) as Obj;
  } catch (e) {
    throw new PullParseError(e instanceof Error ? e.message : String(e));
  }
  if (o === null || typeof o !== "object" || Array.isArray(o)) throw new PullParseError("json: cannot unmarshal into Go value of type server.JSApiConsumerGetNextRequest");
  const expiresNs = intField(o, "expires", "time.Duration");
  p.batch = intField(o, "batch", "int");
  p.maxBytes = intField(o, "max_bytes", "int");
  const nw = o.no_wait;
  if (nw !== undefined && nw !== null && typeof nw !== "boolean") throw new PullParseError("json: cannot unmarshal into Go struct field JSApiConsumerGetNextRequest.no_wait of type bool");
  p.noWait = nw === true;
  const hbNs = intField(o, "idle_heartbeat", "time.Duration");
  if (hbNs > 0 && hbNs * 2 > expiresNs) throw new PullParseError("heartbeat value too large");
  p.expiresMs = expiresNs > 0 ? expiresNs / 1e6 : 0;
  p.heartbeatMs = hbNs > 0 ? hbNs / 1e6 : 0;
  const group = o.group;
  const minPending = intField(o, "min_pending", "int64");
  const minAckPending = intField(o, "min_ack_pending", "int64");
  const priority = intField(o, "priority", "int");
  const id = typeof o.id === "string" ? o.id : "";
  if (typeof group === "string" || minPending !== 0 || minAckPending !== 0 || id !== "" || priority !== 0) {
    p.group = { group: typeof group === "string" ? group : "", minPending, minAckPending, id, priority };
  }
  return p;
}

/** A request waiting for messages. Times are ms (performance clock). */
export class WaitingRequest {
  next: WaitingRequest | undefined;
  /** Messages still to send. */
  n: number;
  /** Bytes still allowed, 0 when the request set no max_bytes. */
  b: number;
  /** Messages sent so far. */
  d = 0;
  /** Next heartbeat due, 0 when none. */
  hbDue: number;

  constructor(
    readonly reply: string,
    p: PullParams,
    readonly received: number,
    readonly expires: number,
    readonly noWait: boolean,
    readonly hb: number,
    readonly group: PullGroup | undefined,
  ) {
    this.n = p.batch;
    this.b = p.maxBytes;
    this.hbDue = hb > 0 ? received + hb : 0;
  }
}

/** FIFO of waiting requests with removal during scans (a singly linked list, as requests come and go at both ends). */
export class WaitQueue {
  head: WaitingRequest | undefined;
  tail: WaitingRequest | undefined;
  size = 0;
  /** When the last request arrived (inactivity tracking). */
  last = 0;

  constructor(readonly max: number) {}

  get full(): boolean {
    return this.size >= this.max;
  }

  /** Appends; false when the queue is full. With priorities (prioritized policy) lower numbers go first. */
  add(wr: WaitingRequest, prioritized = false): boolean {
    if (this.full) return false;
    wr.next = undefined;
    if (prioritized && this.head !== undefined) {
      this.insertByPriority(wr);
    } else if (this.tail === undefined) {
      this.head = this.tail = wr;
    } else {
      this.tail.next = wr;
      this.tail = wr;
    }
    this.size++;
    this.last = wr.received;
    return true;
  }

  private insertByPriority(wr: WaitingRequest): void {
    const pri = (r: WaitingRequest): number => r.group?.priority ?? Number.MAX_SAFE_INTEGER;
    let prev: WaitingRequest | undefined;
    let cur = this.head;
    while (cur !== undefined && pri(cur) <= pri(wr)) {
      prev = cur;
      cur = cur.next;
    }
    wr.next = cur;
    if (prev === undefined) this.head = wr;
    else prev.next = wr;
    if (cur === undefined) this.tail = wr;
  }

  /** Removes `wr`, whose predecessor is `prev` (undefined for the head). */
  remove(prev: WaitingRequest | undefined, wr: WaitingRequest): void {
    if (prev === undefined) this.head = wr.next;
    else prev.next = wr.next;
    if (this.tail === wr) this.tail = prev;
    wr.next = undefined;
    this.size--;
  }

  /** Moves the head to the back (it has more to receive and others wait too). */
  rotate(prioritized: boolean): void {
    const h = this.head;
    if (h === undefined || h.next === undefined) return;
    if (prioritized) {
      const pri = (r: WaitingRequest): number => r.group?.priority ?? Number.MAX_SAFE_INTEGER;
      // Only behind requests of the same priority: a higher priority is always served first.
      if (pri(h.next) !== pri(h)) return;
      this.head = h.next;
      this.size--;
      this.insertByPriority(h);
      this.size++;
      return;
    }
    this.head = h.next;
    h.next = undefined;
    this.tail!.next = h;
    this.tail = h;
  }

  *[Symbol.iterator](): IterableIterator<WaitingRequest> {
    for (let r = this.head; r !== undefined; r = r.next) yield r;
  }
}

/** `NATS/1.0 <code> <description>` status headers, with the pending counts where nats-server adds them. */
export function statusHeader(code: number, description: string, pending?: { msgs: number; bytes: number }): string {
  if (pending === undefined) return `NATS/1.0 ${code} ${description}\r\n\r\n`;
  return `NATS/1.0 ${code} ${description}\r\nNats-Pending-Messages: ${pending.msgs}\r\nNats-Pending-Bytes: ${pending.bytes}\r\n\r\n`;
}
