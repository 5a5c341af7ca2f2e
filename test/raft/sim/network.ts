/**
 * A seeded virtual network between simulated nodes: per-message loss, duplication and delay (random
 * delays reorder messages), and partitions as a set of blocked directed links (so one-way cuts too).
 */
import type { Message } from "../../../src/raft/messages.js";
import type { NodeId } from "../../../src/raft/types.js";
import type { EventQueue } from "./event-queue.js";

export interface Rng {
  next(): number;
  int(n: number): number;
  pick<T>(a: readonly T[]): T;
  chance(p: number): boolean;
}

export interface LinkFaults {
  loss: number;
  duplicate: number;
  /** Extra delay up to this many ms on top of 1 ms: what reorders messages. */
  jitterMs: number;
}

export const CLEAN_LINKS: LinkFaults = { loss: 0, duplicate: 0, jitterMs: 2 };

export class SimNetwork {
  faults: LinkFaults = CLEAN_LINKS;
  private readonly blocked = new Set<string>();

  constructor(
    private readonly rng: Rng,
    private readonly queue: EventQueue,
    private readonly deliver: (m: Message) => void,
  ) {}

  send(m: Message, now: number): void {
    if (this.blocked.has(link(m.from, m.to)) || this.rng.chance(this.faults.loss)) return;
    const copies = this.rng.chance(this.faults.duplicate) ? 2 : 1;
    for (let i = 0; i < copies; i++) this.queue.at(now + 1 + this.rng.int(this.faults.jitterMs + 1), () => this.deliver(m));
  }

  /** Cuts every link between the two sides (both ways unless `oneWay`: then only a -> b). */
  cut(a: readonly NodeId[], b: readonly NodeId[], oneWay: boolean): void {
    for (const x of a) {
      for (const y of b) {
        this.blocked.add(link(x, y));
        if (!oneWay) this.blocked.add(link(y, x));
      }
    }
  }

  heal(): void {
    this.blocked.clear();
  }

  /** Whether a message from `from` to `to` passes the cuts (loss aside). */
  linked(from: NodeId, to: NodeId): boolean {
    return !this.blocked.has(link(from, to));
  }

  get partitioned(): boolean {
    return this.blocked.size > 0;
  }
}

const link = (from: NodeId, to: NodeId): string => `${from}>${to}`;
