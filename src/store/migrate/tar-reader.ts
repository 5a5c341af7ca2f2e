/**
 * Reads the regular files of a tar archive (ustar, with PAX extended headers as Go's archive/tar
 * writes them in nats-server snapshots) into memory, by path.
 *
 * Invariant: every header's checksum is verified; a damaged or truncated archive throws with the offset
 * of the header.
 */

const BLOCK = 512;

export class TarError extends Error {
  constructor(
    readonly offset: number,
    detail: string,
  ) {
    super(`tar archive at ${offset}: ${detail}`);
    this.name = "TarError";
  }
}

function field(h: Buffer, start: number, len: number): string {
  const raw = h.subarray(start, start + len);
  const nul = raw.indexOf(0);
  return raw.toString("utf8", 0, nul < 0 ? len : nul);
}

function octal(h: Buffer, start: number, len: number, at: number): number {
  // Base-256 (high bit set) holds large sizes.
  if (h[start]! & 0x80) {
    let v = h[start]! & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + h[start + i]!;
    return v;
  }
  const s = field(h, start, len).trim();
  if (s === "") return 0;
  if (!/^[0-7]+$/.test(s)) throw new TarError(at, `bad octal field ${JSON.stringify(s)}`);
  return parseInt(s, 8);
}

/** PAX records: "<len> <key>=<value>\n". */
function paxRecords(data: Buffer, at: number): Map<string, string> {
  const out = new Map<string, string>();
  let off = 0;
  while (off < data.length) {
    const sp = data.indexOf(0x20, off);
    if (sp < 0) throw new TarError(at, "bad PAX record");
    const len = Number(data.toString("latin1", off, sp));
    if (!Number.isInteger(len) || len <= 0 || off + len > data.length) throw new TarError(at, "bad PAX record length");
    const rec = data.toString("utf8", sp + 1, off + len - 1);
    const eq = rec.indexOf("=");
    if (eq < 0) throw new TarError(at, "bad PAX record");
    out.set(rec.slice(0, eq), rec.slice(eq + 1));
    off += len;
  }
  return out;
}

/** The regular files of `tar`, by path (leading "./" removed). */
export function readTar(tar: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let pax: Map<string, string> | undefined;
  for (let off = 0; ; ) {
    if (off + BLOCK > tar.length) throw new TarError(off, "archive is truncated (no end marker)");
    const h = tar.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) return files;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
    if (sum !== octal(h, 148, 8, off)) throw new TarError(off, "header checksum mismatch");
    const type = String.fromCharCode(h[156]!);
    let size = octal(h, 124, 12, off);
    if (pax?.has("size")) size = Number(pax.get("size"));
    const dataStart = off + BLOCK;
    if (dataStart + size > tar.length) throw new TarError(off, "entry runs past the end of the archive");
    const data = tar.subarray(dataStart, dataStart + size);
    const next = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === "x") {
      pax = paxRecords(data, off);
    } else {
      if (type === "0" || type === "\0") {
        const prefix = field(h, 345, 155);
        let name = pax?.get("path") ?? (prefix === "" ? field(h, 0, 100) : `${prefix}/${field(h, 0, 100)}`);
        if (name.startsWith("./")) name = name.slice(2);
        files.set(name, data);
      }
      // Directories, links and global headers carry nothing a stream store needs.
      pax = undefined;
    }
    off = next;
  }
}
