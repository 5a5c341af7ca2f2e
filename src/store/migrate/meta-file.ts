/**
 * `meta.inf` and `meta.sum` of a nats-server stream or consumer directory. meta.inf is the JSON of the
 * config with a `Created` time (and, for a consumer, its `Name`); meta.sum is the hex HighwayHash-64 of
 * meta.inf, keyed by SHA-256 of the stream name (stream) or `<stream>/<consumer>` (consumer). A
 * `meta.key` file means the directory is encrypted: tsnats has no cipher for it and refuses.
 */
import { rfc3339ToNanos } from "../../util/nanos.js";
import { ENCRYPTED_STORE, NatsStoreError } from "./errors.js";
import type { StoreFiles } from "./files.js";
import { highwayHash64, natsHashKey } from "./highwayhash.js";

export interface NatsMeta {
  /** The config as nats-server wrote it, without `Created` and `Name`. */
  config: Record<string, unknown>;
  /** ns since the epoch. */
  created: number;
  /** The consumer's `Name` (consumers only). */
  name: string | undefined;
}

/**
 * Reads and verifies `<dir>/meta.inf`. `keyName` gives the name that keys its checksum from the parsed
 * JSON (a snapshot has no directory name to take it from).
 */
export async function readMeta(files: StoreFiles, dir: string, keyName: (json: Record<string, unknown>) => string): Promise<NatsMeta> {
  const at = (f: string): string => (dir === "" ? f : `${dir}/${f}`);
  if ((await files.read(at("meta.key"))) !== undefined) {
    throw new NatsStoreError(files.describe(at("meta.key")), undefined, ENCRYPTED_STORE);
  }
  const inf = await files.read(at("meta.inf"));
  if (inf === undefined) throw new NatsStoreError(files.describe(at("meta.inf")), undefined, "missing");
  const sum = await files.read(at("meta.sum"));
  if (sum === undefined) throw new NatsStoreError(files.describe(at("meta.sum")), undefined, "missing");
  let json: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(inf.toString("utf8"));
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not a JSON object");
    json = v as Record<string, unknown>;
  } catch (e) {
    throw new NatsStoreError(files.describe(at("meta.inf")), undefined, `invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const want = sum.toString("latin1").trim();
  const got = highwayHash64(natsHashKey(keyName(json)), inf).toString("hex");
  if (want !== got) throw new NatsStoreError(files.describe(at("meta.inf")), undefined, `checksum ${got} does not match meta.sum (${want})`);
  const { Created, Name, ...config } = json;
  let created: number;
  try {
    created = typeof Created === "string" ? rfc3339ToNanos(Created) : 0;
  } catch {
    throw new NatsStoreError(files.describe(at("meta.inf")), undefined, `invalid Created time ${JSON.stringify(Created)}`);
  }
  return { config, created, name: typeof Name === "string" ? Name : undefined };
}
