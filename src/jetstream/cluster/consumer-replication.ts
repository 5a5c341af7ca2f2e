/**
 * The consumers of a replicated stream, carried by the stream's own group (a deliberate difference
 * from nats-server's one group per consumer: fewer groups and elections). The leader's consumers
 * serve; each state operation they make (state.ts: deliver, ack, …) is recorded and proposed, one entry
 * per consumer per loop turn; every replica applies the committed operations to a `committed` copy of
 * each consumer's state. A replica that becomes leader copies the committed states into its consumers
 * once it has applied its whole log, then activates them; one that stops leading stands them by.
 *
 * Invariants:
 * - `committed` holds exactly the effect of the committed consumer entries (and the snapshot before
 *   them), never a local operation that was not committed;
 * - only the leader records operations for proposal; a follower's consumers make none (they do not run).
 */
import { RecordingLog, replayRecords, snapshotRecord } from "../consumer/state-codec.js";
import { ConsumerState, restoreSnapshot, snapshotOf, type StateLog, type StateSnapshot } from "../consumer/state.js";
import type { ConsumerGroupHook, ReplicatedConsumer } from "../contracts.js";

/** What the replication needs from the stream group. */
export interface ConsumerReplicationHost {
  readonly isLeader: boolean;
  /**
   * Proposes the recorded operations of consumer `name` (`ackNone`: its ack policy is none); resolves
   * once committed, rejects when that is not known (leadership lost).
   */
  proposeConsumerOps(name: string, ackNone: boolean, ops: Buffer): Promise<void>;
}

interface Joined {
  readonly consumer: ReplicatedConsumer;
  readonly recorder: RecordingLog;
  /** The last proposal of its operations. */
  last: Promise<void>;
}

const DONE = Promise.resolve();

/** The committed consumer states, as a stream group's snapshot holds them. */
export type ConsumerStates = Record<string, StateSnapshot & { ackNone: boolean }>;

export class ConsumerReplication implements ConsumerGroupHook {
  private readonly committed = new Map<string, ConsumerState>();
  private readonly joined = new Map<string, Joined>();
  private flushScheduled = false;

  constructor(private readonly host: ConsumerReplicationHost) {}

  join(c: ReplicatedConsumer, local: StateLog | undefined): StateLog {
    const recorder = new RecordingLog(() => this.scheduleFlush());
    const j: Joined = { consumer: c, recorder, last: DONE };
    this.joined.set(c.name, j);
    const known = this.committed.get(c.name);
    // Recovered or created on a follower: the group's state is the consumer's.
    if (known !== undefined) restoreSnapshot(c.state, snapshotOf(known));
    if (this.host.isLeader) {
      // The whole state first, so every replica starts this consumer from the leader's position.
      if (known === undefined) j.last = this.propose(c.name, c.state.ackNone, snapshotRecord(c.state));
      c.activate();
    } else {
      c.standBy();
    }
    return new TeeLog(local, recorder, this.host);
  }

  leave(c: ReplicatedConsumer): void {
    if (this.joined.get(c.name)?.consumer !== c) return;
    this.joined.delete(c.name);
    this.committed.delete(c.name);
  }

  /** A committed consumer entry, on every replica. */
  apply(name: string, ackNone: boolean, ops: Buffer): void {
    let s = this.committed.get(name);
    if (s === undefined) {
      s = new ConsumerState();
      s.ackNone = ackNone;
      this.committed.set(name, s);
    }
    replayRecords(s, ops);
  }

  /** This replica leads and has applied its whole log: its consumers serve from the committed states. */
  promote(): void {
    for (const { consumer, recorder } of this.joined.values()) {
      recorder.take();
      const s = this.committed.get(consumer.name);
      if (s !== undefined) restoreSnapshot(consumer.state, snapshotOf(s));
      consumer.activate();
    }
  }

  /** This replica stopped leading: its consumers stand by; what they recorded and did not propose is dropped. */
  demote(): void {
    for (const { consumer, recorder } of this.joined.values()) {
      recorder.take();
      consumer.standBy();
    }
  }

  states(): ConsumerStates {
    const out: ConsumerStates = {};
    for (const [name, s] of this.committed) out[name] = { ...snapshotOf(s), ackNone: s.ackNone };
    return out;
  }

  restore(states: ConsumerStates | undefined): void {
    this.committed.clear();
    for (const [name, snap] of Object.entries(states ?? {})) {
      const s = new ConsumerState();
      s.ackNone = snap.ackNone;
      restoreSnapshot(s, snap);
      this.committed.set(name, s);
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  whenCommitted(c: ReplicatedConsumer): Promise<void> {
    const j = this.joined.get(c.name);
    if (j === undefined || j.consumer !== c) return Promise.reject(new Error(`consumer ${c.name} is not replicated here`));
    this.flushOne(j);
    return j.last;
  }

  private flush(): void {
    this.flushScheduled = false;
    for (const j of this.joined.values()) this.flushOne(j);
  }

  private flushOne(j: Joined): void {
    if (j.recorder.size === 0) return;
    const ops = j.recorder.take();
    if (this.host.isLeader) j.last = this.propose(j.consumer.name, j.consumer.state.ackNone, ops);
  }

  private propose(name: string, ackNone: boolean, ops: Buffer): Promise<void> {
    const p = this.host.proposeConsumerOps(name, ackNone, ops);
    p.catch(() => undefined); // nobody may wait for it; a waiter sees the rejection
    return p;
  }
}

/** The consumer's local log (its own store) and, on the leader, the recorder for the group. */
class TeeLog implements StateLog {
  constructor(
    private readonly local: StateLog | undefined,
    private readonly rec: RecordingLog,
    private readonly host: ConsumerReplicationHost,
  ) {}
  deliver(sseq: number, dc: number, ts: number): void {
    this.local?.deliver(sseq, dc, ts);
    if (this.host.isLeader) this.rec.deliver(sseq, dc, ts);
  }
  ack(sseq: number): void {
    this.local?.ack(sseq);
    if (this.host.isLeader) this.rec.ack(sseq);
  }
  ackAll(sseq: number, cseq: number): void {
    this.local?.ackAll(sseq, cseq);
    if (this.host.isLeader) this.rec.ackAll(sseq, cseq);
  }
  touch(sseq: number, ts: number): void {
    this.local?.touch(sseq, ts);
    if (this.host.isLeader) this.rec.touch(sseq, ts);
  }
  maxDelivered(sseq: number, dc: number): void {
    this.local?.maxDelivered(sseq, dc);
    if (this.host.isLeader) this.rec.maxDelivered(sseq, dc);
  }
  forget(sseq: number): void {
    this.local?.forget(sseq);
    if (this.host.isLeader) this.rec.forget(sseq);
  }
  setNext(sseq: number): void {
    this.local?.setNext(sseq);
    if (this.host.isLeader) this.rec.setNext(sseq);
  }
  reset(sseq: number): void {
    this.local?.reset(sseq);
    if (this.host.isLeader) this.rec.reset(sseq);
  }
}
