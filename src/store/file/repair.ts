/**
 * Putting a damaged block file right at open, as scan.ts decided: a torn tail is cut off (truncate +
 * fdatasync); a block damaged in the middle is first copied aside (`<name>.corrupt-<ms>`, for
 * inspection) and then atomically replaced by its good records. Every problem is reported.
 */
import { copyFile, open, rename } from "node:fs/promises";
import { dirname } from "node:path";
import { fsyncDir } from "../../util/atomic-file.js";
import { fdatasync } from "./io.js";
import type { BlockScan } from "./scan.js";

export interface RepairReport {
  kind: "torn-tail" | "corrupt-tail" | "corrupt-middle";
  file: string;
  offset: number;
  bytes: number;
  quarantined: string | undefined;
  detail: string;
}

export async function repairBlock(path: string, scan: BlockScan, report: (r: RepairReport) => void): Promise<void> {
  if (scan.repair === "none") return;
  let quarantined: string | undefined;
  if (scan.problems.some((p) => p.kind !== "torn-tail")) {
    quarantined = `${path}.corrupt-${Date.now()}`;
    await copyFile(path, quarantined);
  }
  for (const p of scan.problems) {
    const where = p.prevSeq > 0 ? ` after sequence ${p.prevSeq}` : "";
    report({
      kind: p.kind,
      file: path,
      offset: p.offset,
      bytes: p.bytes,
      quarantined,
      detail:
        p.kind === "torn-tail"
          ? `incomplete last record${where} cut (${p.bytes} bytes never acknowledged)`
          : `${p.bytes} damaged bytes at offset ${p.offset}${where} are not served`,
    });
  }
  if (scan.repair === "truncate") {
    const fh = await open(path, "r+");
    try {
      await fh.truncate(scan.data.length);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    return;
  }
  const tmp = `${path}.tmp`;
  await writeSynced(tmp, scan.data);
  await rename(tmp, path);
  await fsyncDir(dirname(path));
}

/** Writes a whole file and fdatasyncs it (before it is renamed into place). */
export async function writeSynced(path: string, data: Buffer): Promise<void> {
  const fh = await open(path, "w");
  try {
    await fh.writeFile(data);
    await fdatasync(fh.fd);
  } finally {
    await fh.close();
  }
}
