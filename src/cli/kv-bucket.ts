/** Opening Key-Value buckets for the `kv` verbs, with the connection's JetStream settings applied. */
import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { client } from "./jetstream.js";
import type { ConnectionSettings } from "./global-options.js";
import { CliError, describeError } from "./errors.js";

export function kvm(nc: NatsConnection, s: ConnectionSettings): Kvm {
  return new Kvm(client(nc, s));
}

/** An existing bucket; a missing one fails the command rather than being created. */
export async function openBucket(nc: NatsConnection, s: ConnectionSettings, bucket: string): Promise<KV> {
  return kvm(nc, s).open(bucket, { bindOnly: true }).catch((e: unknown) => {
    throw new CliError(`could not open bucket ${bucket}: ${describeError(e)}`);
  });
}
