/** STREAM.PURGE, STREAM.MSG.GET and STREAM.MSG.DELETE. */
import type { StoredMsg, StreamStore } from "../../store/index.js";
import { nanosToRfc3339 } from "../../util/nanos.js";
import { jsError, jsErrorText, type ApiError } from "../errors.js";
import { streamOf } from "./stream-crud.js";
import { optBool, optInt, optString } from "./paging.js";
import type { ApiRouter } from "./router.js";

/** Why a sequence could not be deleted, worded as nats-server's store of that type words it. */
function missingMsg(store: StreamStore, seq: number): ApiError {
  if (store.kind === "memory") return jsError("JSSequenceNotFoundErrF", { seq });
  const st = store.state();
  if (seq > st.lastSeq) return jsErrorText("JSStreamMsgDeleteFailedF", "stream store EOF");
  if (seq === 0 || seq < st.firstSeq) return jsErrorText("JSStreamMsgDeleteFailedF", "no message found");
  return jsError("JSSequenceNotFoundErrF", { seq });
}

/** The `message` of a MSG.GET response. */
export function storedMsgJson(m: StoredMsg): Record<string, unknown> {
  const o: Record<string, unknown> = { subject: m.subject, seq: m.seq };
  if (m.hdr !== undefined && m.hdr.length > 0) o.hdrs = m.hdr.toString("base64");
  if (m.data.length > 0) o.data = m.data.toString("base64");
  o.time = nanosToRfc3339(m.time);
  return o;
}

export function registerStreamMsg(r: ApiRouter): void {
  r.add(
    "STREAM.PURGE.*",
    "stream_purge_response",
    async (req) => {
      const s = streamOf(req);
      const body = req.json();
      const filter = optString(body, "filter");
      const seq = optInt(body, "seq");
      const keep = optInt(body, "keep");
      if (seq && keep) throw jsError("JSBadRequestErr");
      if (s.cfg.sealed) throw jsError("JSStreamSealedErr");
      if (s.cfg.deny_purge) throw jsErrorText("JSStreamPurgeFailedF", "stream purge not permitted");
      const purged = await s.purge({ filter, seq, keep });
      return { success: true, purged };
    },
    { errorExtra: { purged: 0 } },
  );

  r.add("STREAM.MSG.GET.*", "stream_msg_get_response", (req) => {
    const s = streamOf(req, 3);
    const body = req.json();
    const seq = optInt(body, "seq") ?? 0;
    const last = optString(body, "last_by_subj") ?? "";
    const next = optString(body, "next_by_subj") ?? "";
    if ((seq > 0 && last !== "") || (seq === 0 && last === "" && next === "") || (last !== "" && next !== "")) throw jsError("JSBadRequestErr");
    let m: StoredMsg | undefined;
    if (last !== "") m = s.store.loadLastMsg(last);
    else if (next !== "") m = s.store.loadNextMsg(next, seq);
    else m = s.store.loadMsg(seq);
    if (m === undefined) throw jsError("JSNoMessageFoundErr");
    return { message: storedMsgJson(m) };
  });

  r.add("STREAM.MSG.DELETE.*", "stream_msg_delete_response", async (req) => {
    const s = streamOf(req, 3);
    if (req.body.toString().trim() === "") throw jsError("JSBadRequestErr");
    const body = req.json();
    const seq = optInt(body, "seq") ?? 0;
    const noErase = optBool(body, "no_erase");
    if (s.cfg.sealed) throw jsError("JSStreamSealedErr");
    if (s.cfg.deny_delete) throw jsErrorText("JSStreamMsgDeleteFailedF", "message delete not permitted");
    if (!(await s.deleteMsg(seq, !noErase))) throw missingMsg(s.store, seq);
    return { success: true };
  });
}
