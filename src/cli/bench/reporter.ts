/** A benchmark worker's side of the conversation with the parent: ready/go, progress, the clock. */
import type { MessagePort } from "node:worker_threads";
import type { WorkerMessage } from "./job.js";

/** Progress is reported every this many messages, so the parent's bar moves without flooding it. */
export const PROGRESS_EVERY = 1000;

/** performance.timeOrigin-based milliseconds, comparable across worker threads. */
export const now = (): number => performance.timeOrigin + performance.now();

export interface Reporter {
  /** Tells the parent this client is set up; resolves when the parent says go (publishers wait for it). */
  ready(): Promise<void>;
  progress(msgs: number): void;
}

export function reporter(port: MessagePort): Reporter {
  return {
    ready: () => {
      const go = new Promise<void>((resolve) => port.once("message", () => resolve()));
      port.postMessage({ type: "ready" } satisfies WorkerMessage);
      return go;
    },
    progress: (msgs) => port.postMessage({ type: "progress", msgs } satisfies WorkerMessage),
  };
}
