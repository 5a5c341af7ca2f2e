/**
 * Where a new consumer starts, by its deliver policy (nats-server's selectStartingSeqNo), and the
 * last-per-subject start: the last message of each subject first, then everything after the stream's
 * end at creation.
 */
import type { StreamStore } from "../../store/types.js";
import { rfc3339ToNanos } from "../../util/nanos.js";
import type { ConsumerConfig } from "./config.js";

/** A last-per-subject start in progress: `seqs` are delivered in order, then delivery resumes after `resume`. */
export interface Skip {
  seqs: number[];
  i: number;
  resume: number;
}

/** The first stream sequence to deliver, and the skip list of a last-per-subject start. */
export function startingPosition(store: StreamStore, cfg: ConsumerConfig, filters: string[]): { seq: number; skip: Skip | undefined } {
  const st = store.state();
  let seq: number;
  let skip: Skip | undefined;
  switch (cfg.deliver_policy) {
    case "all":
      seq = st.firstSeq;
      break;
    case "last":
      seq = filters.length === 0 ? st.lastSeq : Math.max(0, ...filters.map((f) => store.loadLastMsg(f)?.seq ?? 0));
      break;
    case "last_per_subject":
      ({ seq, skip } = lastPerSubject(store, filters, st.firstSeq, st.lastSeq));
      break;
    case "by_start_time":
      seq = store.seqForTime(rfc3339ToNanos(cfg.opt_start_time!));
      break;
    case "by_start_sequence":
      seq = cfg.opt_start_seq!;
      break;
    case "new":
      seq = st.lastSeq + 1;
      break;
  }
  const explicit = (cfg.opt_start_seq ?? 0) > 0;
  if (st.firstSeq === 0 && !explicit) seq = 1;
  else if (seq > st.lastSeq && !explicit) seq = st.lastSeq + 1;
  else if (seq < st.firstSeq) seq = st.firstSeq;
  return { seq: Math.max(1, seq), skip };
}

function lastPerSubject(store: StreamStore, filters: string[], firstSeq: number, lastSeq: number): { seq: number; skip: Skip | undefined } {
  const limits = store.limits();
  if (limits.maxMsgsPerSubject === 1) return { seq: firstSeq, skip: undefined };
  const seqs: number[] = [];
  for (const f of filters) for (const s of store.subjectsState(f).values()) seqs.push(s.last);
  seqs.sort((a, b) => a - b);
  if (seqs.length === 0) return { seq: lastSeq + 1, skip: undefined };
  return { seq: seqs[0]!, skip: { seqs, i: 0, resume: lastSeq } };
}
