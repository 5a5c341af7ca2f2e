/**
 * Mirrors and sources within one account. nats-server feeds them through internal push consumers on
 * the origin; inside one process a link reads the origin's store directly instead: it copies from its
 * cursor up to the origin's last message in slices (yielding to the event loop between slices), then
 * waits for the origin's next durable message. A mirror keeps the origin's sequences (storeRawMsg); a
 * source appends with a `Nats-Stream-Source: <origin> <seq>` header, from which its position is found
 * again after a restart. A link whose origin does not exist (yet) waits for it to be created.
 */
import { nowNanos, rfc3339ToNanos } from "../../util/nanos.js";
import { JS_STREAM_SOURCE, appendHeaders, headerValue, parseHeaders } from "../headers.js";
import type { StreamSourceConfig } from "./config.js";
import type { Stream } from "./stream.js";
import { SubjectTransform } from "./transform.js";

const SLICE = 512;

interface Filter {
  filter: string;
  transform: SubjectTransform | undefined;
}

export class SourceLink {
  /** Next origin sequence to read. */
  cursor = 0;
  private origin: Stream | undefined;
  private unhookOrigin: (() => void) | undefined;
  private scheduled = false;
  private stopped = false;
  private lastActive = 0;
  error: string | undefined;
  private readonly filters: Filter[];
  private readonly onStreams = (): void => this.bind();

  constructor(
    readonly target: Stream,
    readonly cfg: StreamSourceConfig,
    readonly mirror: boolean,
  ) {
    const trs = cfg.subject_transforms;
    if (trs !== undefined && trs.length > 0) {
      this.filters = trs.map((t) => {
        const tr = t.dest ? SubjectTransform.parse(t.src, t.dest) : undefined;
        return { filter: t.src || ">", transform: typeof tr === "object" ? tr : undefined };
      });
    } else {
      this.filters = [{ filter: cfg.filter_subject || ">", transform: undefined }];
    }
  }

  get key(): string {
    return JSON.stringify(this.cfg);
  }

  start(): void {
    this.cursor = this.initialCursor();
    this.target.jsa.streamListeners.add(this.onStreams);
    this.bind();
  }

  stop(): void {
    this.stopped = true;
    this.target.jsa.streamListeners.delete(this.onStreams);
    this.unbind();
  }

  /** (Re)binds to the origin stream, whichever exists now under the configured name. */
  private bind(): void {
    if (this.stopped) return;
    const origin = this.target.jsa.streams.get(this.cfg.name);
    if (origin === this.origin) return;
    this.unbind();
    if (origin === undefined || origin === this.target) {
      this.error = undefined;
      return;
    }
    this.origin = origin;
    const offStored = origin.onStored(() => this.schedule());
    const reader = { stop: () => this.unbind() };
    origin.readers.add(reader);
    this.unhookOrigin = () => {
      offStored();
      origin.readers.delete(reader);
    };
    this.schedule();
  }

  private unbind(): void {
    this.unhookOrigin?.();
    this.unhookOrigin = undefined;
    this.origin = undefined;
  }

  private initialCursor(): number {
    const st = this.target.store.state();
    if (this.mirror) {
      if (st.lastSeq > 0) return st.lastSeq + 1;
    } else {
      const found = this.findPosition();
      if (found > 0) return found + 1;
    }
    return this.startFromConfig();
  }

  private startFromConfig(): number {
    if (this.cfg.opt_start_seq) return this.cfg.opt_start_seq;
    if (this.cfg.opt_start_time !== undefined) {
      const origin = this.target.jsa.streams.get(this.cfg.name);
      if (origin !== undefined) return origin.store.seqForTime(rfc3339ToNanos(this.cfg.opt_start_time));
      return -1; // resolved when the origin appears
    }
    return 1;
  }

  /** The last origin sequence this source already copied, from our newest Nats-Stream-Source header. */
  private findPosition(): number {
    const store = this.target.store;
    const st = store.state();
    const prefix = `${this.cfg.name} `;
    for (let seq = st.lastSeq; seq >= st.firstSeq && seq > 0; seq--) {
      const m = store.loadMsg(seq);
      if (m?.hdr === undefined) continue;
      const v = headerValue(parseHeaders(m.hdr), JS_STREAM_SOURCE);
      if (v !== undefined && v.startsWith(prefix)) {
        const n = Number(v.slice(prefix.length).split(" ")[0]);
        if (Number.isSafeInteger(n)) return n;
      }
    }
    return 0;
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  /** Copies up to one slice of messages; schedules itself again while the origin is ahead. */
  private pump(): void {
    const origin = this.origin;
    if (origin === undefined || this.stopped || !this.target.alive || !origin.alive) return;
    if (this.cursor < 0 && this.cfg.opt_start_time !== undefined) this.cursor = origin.store.seqForTime(rfc3339ToNanos(this.cfg.opt_start_time));
    if (this.target.cfg.sealed) return;
    const src = origin.store;
    let n = 0;
    try {
      while (n < SLICE) {
        const m = this.next(src);
        if (m === undefined) break;
        this.cursor = m.msg.seq + 1;
        n++;
        if (this.mirror) {
          if (m.msg.seq > this.target.store.state().lastSeq) {
            this.target.storeRawInternal(m.msg.seq, m.subject, m.msg.hdr, m.msg.data, m.msg.time, m.msg.ttl);
          }
        } else {
          const hdr = appendHeaders(m.msg.hdr, [[JS_STREAM_SOURCE, `${this.cfg.name} ${m.msg.seq}`]]);
          this.target.storeInternal(m.subject, hdr, m.msg.data);
        }
      }
      this.error = undefined;
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
      return;
    }
    if (n > 0) this.lastActive = nowNanos();
    if (n === SLICE) this.schedule();
  }

  /** The next origin message at or after the cursor that passes a filter, with its (transformed) subject. */
  private next(src: Stream["store"]): { msg: NonNullable<ReturnType<Stream["store"]["loadMsg"]>>; subject: string } | undefined {
    const from = Math.max(1, this.cursor);
    let best: { seq: number; f: Filter } | undefined;
    for (const f of this.filters) {
      const seq = src.nextSeq(f.filter, from);
      if (seq > 0 && (best === undefined || seq < best.seq)) best = { seq, f };
    }
    if (best === undefined) return undefined;
    const msg = src.loadMsg(best.seq);
    if (msg === undefined) {
      this.cursor = best.seq + 1;
      return this.next(src);
    }
    const subject = best.f.transform?.apply(msg.subject) ?? msg.subject;
    return { msg, subject };
  }

  /** The mirror/sources entry of StreamInfo. */
  info(): Record<string, unknown> {
    const o: Record<string, unknown> = { name: this.cfg.name };
    if (this.cfg.external !== undefined) o.external = this.cfg.external;
    const originLast = this.origin?.store.state().lastSeq ?? 0;
    o.lag = this.origin === undefined ? 0 : Math.max(0, originLast - Math.max(0, this.cursor - 1));
    o.active = this.lastActive > 0 ? nowNanos() - this.lastActive : -1;
    if (this.cfg.filter_subject !== undefined) o.filter_subject = this.cfg.filter_subject;
    if (this.cfg.subject_transforms !== undefined) o.subject_transforms = this.cfg.subject_transforms;
    if (this.error !== undefined) o.error = { code: 500, err_code: 10051, description: this.error };
    return o;
  }
}

const links = new WeakMap<Stream, SourceLink[]>();
const detachers = new WeakMap<Stream, { stop(): void }>();

/** Starts, keeps or stops the stream's links so that they match its current config. */
export function attachSources(s: Stream): void {
  const wanted: { cfg: StreamSourceConfig; mirror: boolean }[] = [];
  if (s.cfg.mirror !== undefined && s.cfg.mirror.external === undefined) wanted.push({ cfg: s.cfg.mirror, mirror: true });
  for (const src of s.cfg.sources ?? []) if (src.external === undefined) wanted.push({ cfg: src, mirror: false });
  const current = links.get(s) ?? [];
  const next: SourceLink[] = [];
  for (const w of wanted) {
    const key = JSON.stringify(w.cfg);
    const have = current.find((l) => l.key === key && l.mirror === w.mirror);
    if (have !== undefined) {
      next.push(have);
      continue;
    }
    const link = new SourceLink(s, w.cfg, w.mirror);
    link.start();
    next.push(link);
  }
  for (const l of current) if (!next.includes(l)) l.stop();
  links.set(s, next);
  if (!detachers.has(s)) {
    const d = { stop: () => detachSources(s) };
    detachers.set(s, d);
    s.readers.add(d);
  }
}

export function detachSources(s: Stream): void {
  for (const l of links.get(s) ?? []) l.stop();
  links.delete(s);
}

export function sourceLinks(s: Stream): readonly SourceLink[] {
  return links.get(s) ?? [];
}
