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
        if (this.isolated.has(from) || this.isolated.has(to)) return;
        setImmediate(() => this.members.get(`${group}/${to}`)?.(bytes));
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
