/**
 * Errors the store throws. `code` is what the JetStream layer switches on to pick the API error
 * (10077 with these descriptions for the limits, 10054 for a message that is too large).
 */

export type StoreErrorCode =
  | "max_msgs" // discard new, max_msgs reached
  | "max_bytes" // discard new, max_bytes would be passed
  | "max_msgs_per_subject" // discard new + discard_new_per_subject
  | "msg_too_large" // max_msg_size
  | "bad_sequence" // storeRawMsg with a sequence not above lastSeq
  | "closed" // used after stop()
  | "io" // a write or sync failed; the store accepts no more writes
  | "corrupt"; // a record failed its checksum on read

const DESCRIPTIONS: Record<StoreErrorCode, string> = {
  max_msgs: "maximum messages exceeded",
  max_bytes: "maximum bytes exceeded",
  max_msgs_per_subject: "maximum messages per subject exceeded",
  msg_too_large: "message size exceeds maximum allowed",
  bad_sequence: "sequence mismatch",
  closed: "store is closed",
  io: "store write failed",
  corrupt: "message data is corrupt",
};

export class StoreError extends Error {
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail ? `${DESCRIPTIONS[code]}: ${detail}` : DESCRIPTIONS[code], options);
    this.name = "StoreError";
    this.code = code;
  }
}

export function isStoreError(err: unknown, code?: StoreErrorCode): err is StoreError {
  return err instanceof StoreError && (code === undefined || err.code === code);
}
