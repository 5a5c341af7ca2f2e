/**
 * Subject remapping for imports: a subject matched by `from` is rewritten to `to`. The wildcard tokens of
 * `from` fill `to`'s wildcards in order (`*` one token, `>` the rest), or `to` names them explicitly as
 * `$1` / `{{wildcard(1)}}`. Without wildcards in `to`, every subject maps to `to` itself.
 */

export type SubjectTransform = (subject: string) => string;

const IDENTITY: SubjectTransform = (s) => s;

export function subjectTransform(from: string, to: string | undefined): SubjectTransform {
  if (to === undefined || to === from) return IDENTITY;
  const fromToks = from.split(".");
  const toToks = to.split(".");
  const explicit = toToks.map((t) => /^(?:\$(\d+)|\{\{\s*wildcard\s*\(\s*(\d+)\s*\)\s*\}\})$/i.exec(t));
  const anyExplicit = explicit.some((m) => m !== null);
  return (subject) => {
    const toks = subject.split(".");
    const captured: string[] = [];
    for (let i = 0; i < fromToks.length; i++) {
      if (fromToks[i] === "*") captured.push(toks[i]!);
      else if (fromToks[i] === ">") captured.push(toks.slice(i).join("."));
    }
    let next = 0;
    return toToks
      .map((t, i) => {
        const m = explicit[i];
        if (m) return captured[Number(m[1] ?? m[2]) - 1] ?? t;
        if (!anyExplicit && (t === "*" || t === ">")) return captured[next++] ?? t;
        return t;
      })
      .join(".");
  };
}

/** Stream import with a prefix: `prefix.subject`. */
export function prefixTransform(prefix: string): SubjectTransform {
  const p = prefix.endsWith(".") ? prefix : `${prefix}.`;
  return (s) => p + s;
}
