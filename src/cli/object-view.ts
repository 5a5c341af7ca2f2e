/** Object Store buckets and objects, laid out as the nats CLI's `object info` shows them. */
import type { ObjectInfo, ObjectStoreStatus } from "@nats-io/obj";
import { Columns } from "./format/columns.js";
import { humanDuration, iBytes, localTime, rfc3339Local } from "./format/units.js";

export function bucketView(st: ObjectStoreStatus): string {
  const info = st.streamInfo;
  const cols = new Columns(`Information for Object Store Bucket ${st.bucket} created ${rfc3339Local(info.created)}`);
  cols.section("Configuration");
  cols.row("Bucket Name", st.bucket);
  cols.rowIfNotEmpty("Description", st.description);
  cols.row("Replicas", st.replicas);
  cols.row("TTL", st.ttl > 0 ? humanDuration(st.ttl) : "unlimited");
  cols.row("Sealed", st.sealed);
  cols.row("Size", iBytes(st.size));
  cols.row("Maximum Bucket Size", info.config.max_bytes <= 0 ? "unlimited" : iBytes(info.config.max_bytes));
  cols.row("Storage", st.storage === "memory" ? "Memory" : "File");
  cols.row("Backing Store Kind", st.backingStore);
  cols.row("JetStream Stream", info.config.name);
  if (info.cluster?.name || info.cluster?.leader) {
    cols.section("Cluster Information");
    cols.row("Name", info.cluster.name ?? "");
    cols.row("Leader", info.cluster.leader ?? "");
  }
  return cols.render();
}

/** "SHA-256=<base64url>" as the nats CLI prints it: the algorithm, then the digest in hex. */
function digestText(digest: string): string {
  const at = digest.indexOf("=");
  if (at < 0) return digest;
  return `${digest.slice(0, at)} ${Buffer.from(digest.slice(at + 1), "base64url").toString("hex")}`;
}

/**
 * The object's headers by name. The client types them as MsgHdrs, but entries from `list()` carry the
 * metadata's JSON form ({"K": ["v"]}) as the server stores it, so both are accepted.
 */
function headerRecord(h: ObjectInfo["headers"] | Record<string, string[]> | undefined): Record<string, string[]> {
  if (!h) return {};
  if (Symbol.iterator in h) return Object.fromEntries([...(h as Iterable<[string, string[]]>)]);
  return h as Record<string, string[]>;
}

export function objectView(o: ObjectInfo): string {
  const cols = new Columns(`Object information for ${o.bucket} > ${o.name}`);
  cols.rowIfNotEmpty("Description", o.description);
  cols.row("Size", iBytes(o.size));
  cols.row("Modification Time", localTime(o.mtime));
  cols.row("Chunks", o.chunks);
  cols.row("Digest", digestText(o.digest));
  cols.rowIf("Deleted", o.deleted, o.deleted);
  const hs = Object.entries(headerRecord(o.headers)).flatMap(([k, vs]) => vs.map((v) => `${k}: ${v}`));
  if (hs.length > 0) {
    cols.row("Headers", hs[0]!);
    for (const h of hs.slice(1)) cols.row("", h);
  }
  return cols.render();
}

/** The object's metadata as plain JSON (the client's ObjectInfo is a class whose fields are getters). */
export function objectJson(o: ObjectInfo): Record<string, unknown> {
  return { bucket: o.bucket, name: o.name, description: o.description ?? "", headers: headerRecord(o.headers), size: o.size, chunks: o.chunks,
    mtime: o.mtime, digest: o.digest, deleted: o.deleted, nuid: o.nuid, revision: o.revision };
}
