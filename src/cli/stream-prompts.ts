/**
 * `stream add` on a terminal: the questions the nats CLI asks for every setting not given as a flag,
 * with its defaults. --defaults or --config skips them, as does the lack of a terminal.
 */
import type { StreamFlags } from "./stream-config.js";
import { askChoice, askText, askYesNo } from "./prompt.js";

export async function askStreamFlags(name: string, f: StreamFlags): Promise<StreamFlags> {
  const o: StreamFlags = { ...f };
  if (!o.subjects || o.subjects.length === 0) o.subjects = [await askText("Subjects", name)];
  o.storage ??= await askChoice("Storage", ["file", "memory"], "file");
  o.replicas ??= await askText("Replication", "1");
  o.retention ??= await askChoice("Retention Policy", ["limits", "interest", "work"], "limits");
  o.discard ??= await askChoice("Discard Policy", ["old", "new"], "old");
  o.maxMsgs ??= await askText("Stream Messages Limit", "-1");
  o.maxMsgsPerSubject ??= await askText("Per Subject Messages Limit", "-1");
  o.maxBytes ??= await askText("Total Stream Size", "-1");
  o.maxAge ??= await askText("Message TTL", "-1");
  o.maxMsgSize ??= await askText("Max Message Size", "-1");
  o.dupeWindow ??= await askText("Duplicate tracking time window", "2m0s");
  o.allowRollup ??= await askYesNo("Allow message Roll-ups", false);
  if (o.denyDelete === undefined) o.denyDelete = !(await askYesNo("Allow message deletion", true));
  if (o.denyPurge === undefined) o.denyPurge = !(await askYesNo("Allow purging subjects or the entire stream", true));
  return o;
}
