/** StreamInfo and StreamState as nats-server writes them (field order and omissions of its structs). */
import { nanosToRfc3339, nowNanos } from "../../util/nanos.js";
import { sourceLinks } from "./sources.js";
import { streamConfigJson } from "./config.js";
import type { Stream } from "./stream.js";

export interface StateOptions {
  /** Per-subject counts for subjects matching this filter. */
  subjects?: Map<string, number> | undefined;
  deletedDetails?: boolean;
}

export function streamStateJson(s: Stream, opts: StateOptions = {}): Record<string, unknown> {
  const st = s.store.state();
  const o: Record<string, unknown> = {
    messages: st.msgs,
    bytes: st.bytes,
    first_seq: st.firstSeq,
    first_ts: nanosToRfc3339(st.firstTime),
    last_seq: st.lastSeq,
    last_ts: nanosToRfc3339(st.lastTime),
  };
  if (st.numSubjects > 0) o.num_subjects = st.numSubjects;
  if (opts.subjects !== undefined && opts.subjects.size > 0) o.subjects = Object.fromEntries(opts.subjects);
  if (st.numDeleted > 0) o.num_deleted = st.numDeleted;
  if (opts.deletedDetails && st.numDeleted > 0) o.deleted = s.store.deletedSeqs();
  if (st.lost !== undefined && st.lost.msgs.length > 0) o.lost = { msgs: st.lost.msgs, bytes: st.lost.bytes };
  o.consumer_count = s.consumers.size;
  return o;
}

/**
 * StreamInfo: config, created, state, mirror/sources, ts. A create response leaves out mirror and
 * sources (`links: false`), as nats-server's does.
 */
export function streamInfoJson(s: Stream, opts: StateOptions & { links?: boolean } = {}): Record<string, unknown> {
  const o: Record<string, unknown> = {
    config: streamConfigJson(s.cfg),
    created: nanosToRfc3339(s.created),
    state: streamStateJson(s, opts),
  };
  const links = opts.links === false ? [] : sourceLinks(s);
  const mirror = links.find((l) => l.mirror);
  if (mirror !== undefined) o.mirror = mirror.info();
  const sources = links.filter((l) => !l.mirror);
  if (sources.length > 0) o.sources = sources.map((l) => l.info());
  o.ts = nanosToRfc3339(nowNanos());
  return o;
}
