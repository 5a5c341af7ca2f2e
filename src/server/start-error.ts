/**
 * An error that keeps the server from starting, worded as nats-server's fatal log line for the same
 * cause (`Can't start monitoring: ...`, `Can't start JetStream: ...`); the command line logs the message
 * as it is, other start failures as a failed client listener.
 */
export class StartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
