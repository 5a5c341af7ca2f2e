/**
 * Process resource figures for /varz: resident memory, CPU percent and core count, as nats-server reports
 * its own process (`mem`, `cpu`, `cores`).
 */
import { availableParallelism } from "node:os";

/** Samples closer together than this reuse the previous figure, so back-to-back requests stay meaningful. */
const MIN_SAMPLE_MS = 1000;

/**
 * CPU use of this process in percent of one core (100 = one core busy), over the time since the previous
 * sample — nats-server samples once a second and reports the last interval, to one decimal.
 */
export class CpuMeter {
  private lastAt = performance.now() - process.uptime() * 1000;
  private lastCpuMicros = 0;
  private percent = 0;

  sample(): number {
    const now = performance.now();
    if (now - this.lastAt >= MIN_SAMPLE_MS || this.lastCpuMicros === 0) {
      const u = process.cpuUsage();
      const cpuMicros = u.user + u.system;
      const wallMicros = (now - this.lastAt) * 1000;
      this.percent = wallMicros > 0 ? Math.round(((cpuMicros - this.lastCpuMicros) / wallMicros) * 1000) / 10 : 0;
      this.lastAt = now;
      this.lastCpuMicros = cpuMicros;
    }
    return this.percent;
  }
}

/** Resident set size in bytes. */
export function residentMemory(): number {
  return process.memoryUsage.rss();
}

/** Cores this process may use (Go's runtime.NumCPU honours the affinity mask too). */
export function cores(): number {
  return availableParallelism();
}
