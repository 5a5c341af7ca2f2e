/**
 * Subject transforms as JetStream uses them (stream `subject_transform`, `republish`, source
 * `subject_transforms`): a source filter and a destination pattern. Destination tokens are literals,
 * `$n` or `{{wildcard(n)}}` (the n-th `*` of the source, from 1), `*` (the source's `*` tokens in
 * order) and a final `>` (what the source's final `>` matched).
 */
import { isValidSubject, subjectMatches } from "../../subjects/validate.js";

type DestToken = { lit: string } | { wc: number } | { rest: true };

const WILDCARD_FN = /^\{\{\s*wildcard\s*\(\s*(\d+)\s*\)\s*\}\}$/i;

export class SubjectTransform {
  private readonly starPositions: number[];
  private readonly dest: DestToken[];

  private constructor(
    readonly src: string,
    srcTokens: string[],
    dest: DestToken[],
  ) {
    this.starPositions = [];
    srcTokens.forEach((t, i) => {
      if (t === "*") this.starPositions.push(i);
    });
    this.dest = dest;
  }

  /**
   * Builds a transform, or returns why it is invalid: "source" when src is not a valid filter,
   * "destination" when dest is not a valid pattern for it.
   */
  static parse(src: string, dest: string): SubjectTransform | "source" | "destination" {
    const s = src === "" ? ">" : src;
    if (!isValidSubject(s)) return "source";
    const srcTokens = s.split(".");
    const stars = srcTokens.filter((t) => t === "*").length;
    const srcRest = srcTokens[srcTokens.length - 1] === ">";
    if (dest === "" || !isValidSubject(dest.replace(/\{\{[^}]*\}\}/g, "x"))) return "destination";
    const out: DestToken[] = [];
    let plainStars = 0;
    const parts = dest.split(".");
    for (let i = 0; i < parts.length; i++) {
      const t = parts[i]!;
      if (t === ">") {
        if (!srcRest || i !== parts.length - 1) return "destination";
        out.push({ rest: true });
        continue;
      }
      if (t === "*") {
        plainStars++;
        if (plainStars > stars) return "destination";
        out.push({ wc: plainStars });
        continue;
      }
      const m = WILDCARD_FN.exec(t) ?? (/^\$(\d+)$/.exec(t) as RegExpExecArray | null);
      if (m) {
        const n = Number(m[1]);
        if (n < 1 || n > stars) return "destination";
        out.push({ wc: n });
        continue;
      }
      if (t.includes("{{")) return "destination";
      out.push({ lit: t });
    }
    return new SubjectTransform(s, srcTokens, out);
  }

  /** The transformed subject, or undefined when `subject` does not match the source. */
  apply(subject: string): string | undefined {
    if (!subjectMatches(this.src, subject)) return undefined;
    const tokens = subject.split(".");
    const parts: string[] = [];
    for (const d of this.dest) {
      if ("lit" in d) parts.push(d.lit);
      else if ("wc" in d) parts.push(tokens[this.starPositions[d.wc - 1]!]!);
      else parts.push(tokens.slice(this.src.split(".").length - 1).join("."));
    }
    return parts.join(".");
  }
}
