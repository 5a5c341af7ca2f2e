/**
 * For tests of the RAFT shell (raft-group.ts): an in-memory transport between members of one process
 * (asynchronous delivery, links that can be cut), and a state machine that keeps what it applied.
 */
import type { StateMachine } from "../../src/raft/raft-group.js";
import type { Channel, RaftTransport } from "../../src/raft/transport.js";
import type { Entry, NodeId } from "../../src/raft/types.js";

export class MemoryHub {
  private readonly members = new Map<string, (bytes: Buffer) => void>();
  /** Members whose traffic, both ways, is dropped. */
  readonly isolated = new Set<NodeId>();
  sent = 0;
  /** Runs of synchronous sends so far (one ends at the next microtask); every send records its run. */
  turn = 0;
  private inRun = false;
  readonly log: { turn: number; from: NodeId; to: NodeId; bytes: Buffer }[] = [];
  /** What waits for the next delivery per receiver (batched mode). */
  private readonly queued = new Map<string, Buffer[]>();

  /**
   * `batched`: a receiver gets what was sent to it since its last delivery in one turn, as a route's
   * socket read holds many messages (otherwise one turn per message).
   */
  constructor(private readonly batched = false) {}

  transport(): RaftTransport {
    return {
      listen: (group, self, onBytes) => {
        const key = `${group}/${self}`;
        this.members.set(key, onBytes);
        return () => {
          if (this.members.get(key) === onBytes) this.members.delete(key);
        };
      },
      send: (group: string, from: NodeId, to: NodeId, _channel: Channel, bytes: Buffer) => {
        this.sent++;
        if (!this.inRun) {
          this.inRun = true;
          this.turn++;
          queueMicrotask(() => (this.inRun = false));
        }
        this.log.push({ turn: this.turn, from, to, bytes });
        if (this.isolated.has(from) || this.isolated.has(to)) return;
        const key = `${group}/${to}`;
        if (!this.batched) {
          setImmediate(() => this.members.get(key)?.(bytes));
          return;
        }
        const q = this.queued.get(key);
        if (q !== undefined) return void q.push(bytes);
        this.queued.set(key, [bytes]);
        setImmediate(() => {
          const all = this.queued.get(key) ?? [];
          this.queued.delete(key);
          for (const b of all) this.members.get(key)?.(b);
        });
      },
    };
  }
}

/** Applies normal entries as strings, in order. */
export class ListMachine implements StateMachine {
  items: string[] = [];
  apply(entries: readonly Entry[]): void {
    for (const e of entries) if (e.kind === "normal") this.items.push(e.data.toString());
  }
  restore(data: Buffer): void {
    this.items = data.length === 0 ? [] : (JSON.parse(data.toString()) as string[]);
  }
  snapshot(): Buffer {
    return Buffer.from(JSON.stringify(this.items));
  }
}

export async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
