/**
 * Logging in nats-server's format: `[pid] 2006/01/02 15:04:05.000000 [INF] text` on stderr (or a file),
 * with its levels: FTL, ERR, WRN, INF, DBG, TRC. Debug and trace lines are built only when enabled:
 * callers check `logger.traceOn` / `logger.debugOn` before formatting anything on the hot path.
 */
import { appendFileSync, openSync, closeSync, writeSync } from "node:fs";

export type Level = "FTL" | "ERR" | "WRN" | "INF" | "DBG" | "TRC";

export interface LoggerOptions {
  debug: boolean;
  trace: boolean;
  logtime: boolean;
  logtimeUTC: boolean;
  logFile?: string;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

export function formatTime(d: Date, utc: boolean): string {
  const y = utc ? d.getUTCFullYear() : d.getFullYear();
  const mo = (utc ? d.getUTCMonth() : d.getMonth()) + 1;
  const da = utc ? d.getUTCDate() : d.getDate();
  const h = utc ? d.getUTCHours() : d.getHours();
  const mi = utc ? d.getUTCMinutes() : d.getMinutes();
  const s = utc ? d.getUTCSeconds() : d.getSeconds();
  const micros = d.getMilliseconds() * 1000;
  return `${y}/${pad(mo, 2)}/${pad(da, 2)} ${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(micros, 6)}`;
}

export class Logger {
  debugOn: boolean;
  traceOn: boolean;
  private logtime: boolean;
  private utc: boolean;
  private fd: number | undefined;
  private file: string | undefined;

  constructor(opts: LoggerOptions) {
    this.debugOn = opts.debug;
    this.traceOn = opts.trace;
    this.logtime = opts.logtime;
    this.utc = opts.logtimeUTC;
    this.file = opts.logFile;
    if (this.file) {
      appendFileSync(this.file, "");
      this.fd = openSync(this.file, "a");
    }
  }

  /** Applies reloaded logging options; reopens the file (also what SIGUSR1 does for log rotation). */
  configure(opts: LoggerOptions): void {
    this.debugOn = opts.debug;
    this.traceOn = opts.trace;
    this.logtime = opts.logtime;
    this.utc = opts.logtimeUTC;
    this.reopen(opts.logFile);
  }

  reopen(file: string | undefined = this.file): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.file = file;
    if (file) this.fd = openSync(file, "a");
  }

  private write(level: Level, text: string): void {
    const prefix = this.logtime ? `[${process.pid}] ${formatTime(new Date(), this.utc)} ` : `[${process.pid}] `;
    const line = `${prefix}[${level}] ${text}\n`;
    if (this.fd !== undefined) writeSync(this.fd, line);
    else process.stderr.write(line);
  }

  fatal(text: string): void {
    this.write("FTL", text);
  }
  error(text: string): void {
    this.write("ERR", text);
  }
  warn(text: string): void {
    this.write("WRN", text);
  }
  info(text: string): void {
    this.write("INF", text);
  }
  debug(text: string): void {
    if (this.debugOn) this.write("DBG", text);
  }
  trace(text: string): void {
    if (this.traceOn) this.write("TRC", text);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
