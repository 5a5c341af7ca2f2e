/**
 * What goes wrong reading a nats-server store. Every error names the file, and the byte offset where
 * the damage starts when there is one, so that an operator can look at it; the import of the stream
 * stops there, nothing of it is half-imported.
 */
export class NatsStoreError extends Error {
  constructor(
    /** The file, as the store source describes it (a path, or a path inside a snapshot). */
    readonly file: string,
    /** Byte offset in `file` where the damage starts, when the damage is at a place. */
    readonly offset: number | undefined,
    detail: string,
  ) {
    super(`${file}${offset === undefined ? "" : `:${offset}`}: ${detail}`);
    this.name = "NatsStoreError";
  }
}

/** Why an encrypted store (nats-server's `jetstream.cipher`: a meta.key or msgs/<n>.key file) is refused. */
export const ENCRYPTED_STORE = "the store is encrypted (nats-server's jetstream.cipher); tsnats cannot read encrypted stores: decrypt it first (start nats-server without `cipher` on a copy) or move the streams with nats stream backup/restore";
