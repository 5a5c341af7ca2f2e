/**
 * Bytes one message counts for in StreamState.bytes and against max_bytes. These are nats-server's
 * formulas, so that stream info and limit decisions match it; they differ by storage type.
 *
 * File store: the Go record layout — length(4) + seq(8) + ts(8) + subject length(2) + subject
 * + [header length(4) + header, only with a header] + payload + hash(8).
 * Memory store: subject + header + payload + 16 (seq and timestamp).
 *
 * Our own file records are laid out differently (record.ts); accounting follows Go, not our layout.
 */

export function fileStoreMsgSize(subjectBytes: number, hdrLen: number, dataLen: number): number {
  return hdrLen === 0 ? 22 + subjectBytes + dataLen + 8 : 22 + subjectBytes + 4 + hdrLen + dataLen + 8;
}

export function memStoreMsgSize(subjectBytes: number, hdrLen: number, dataLen: number): number {
  return subjectBytes + hdrLen + dataLen + 16;
}

/** UTF-8 length of a subject; subjects are nearly always ASCII, so skip the encoder then. */
export function subjectByteLength(subject: string): number {
  for (let i = 0; i < subject.length; i++) {
    if (subject.charCodeAt(i) > 0x7f) return Buffer.byteLength(subject, "utf8");
  }
  return subject.length;
}
