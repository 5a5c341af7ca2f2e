import { StartError } from "../server/start-error.js";

/** A monitoring listener that cannot start; the message is nats-server's fatal log line. */
export class MonitorStartError extends StartError {
  constructor(why: string) {
    super(`Can't start monitoring: ${why}`);
  }
}
