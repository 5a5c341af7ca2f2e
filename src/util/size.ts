/**
 * Byte-size suffixes as nats-server reads them. In the config language an integer may carry a suffix:
 * the single letter is decimal (k = 1000), the `b`/`i`/`ib` forms are binary (kb = ki = kib = 1024).
 * JetStream limits may also be strings such as "1G", whose K/M/G/T suffix is always binary.
 */

const POWERS = ["k", "m", "g", "t", "p", "e"] as const;

/** Multiplier for a conf-number suffix such as "k", "MB", "gib"; undefined if it is not one. */
export function sizeSuffixMultiplier(suffix: string): number | undefined {
  const s = suffix.toLowerCase();
  const power = POWERS.indexOf(s[0] as (typeof POWERS)[number]) + 1;
  if (power === 0) return undefined;
  const rest = s.slice(1);
  if (rest === "") return 1000 ** power;
  if (rest === "b" || rest === "i" || rest === "ib") return 1024 ** power;
  return undefined;
}

/** "512M" -> 536870912. Only K/M/G/T (either case) after a whole number; undefined otherwise. */
export function parseStorageSize(text: string): number | undefined {
  const m = /^(\d+)([kmgt])$/i.exec(text);
  if (!m) return undefined;
  const power = POWERS.indexOf(m[2]!.toLowerCase() as (typeof POWERS)[number]) + 1;
  return Number(m[1]) * 1024 ** power;
}
