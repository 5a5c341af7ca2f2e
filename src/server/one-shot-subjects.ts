/**
 * Which subjects an account's Sublist treats as one-shot (SublistOptions.oneShot): subjects made for
 * one message. JetStream's ack subjects carry the message's sequences (`$JS.ACK.<stream>.<consumer>.…`,
 * see jetstream/consumer/ack-protocol.ts), and every official client makes a fresh
 * `_INBOX.<id>.<n>` reply subject per request (PubAcks are answered on them), so each is published
 * once. A subject under these prefixes that does recur is never cached, only walked.
 */
export function isOneShotSubject(subject: string): boolean {
  return subject.startsWith("$JS.ACK.") || subject.startsWith("_INBOX.");
}
