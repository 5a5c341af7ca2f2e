/**
 * The nats CLI's "columns" layout for info views: a heading, then sections of `Label: value` rows with
 * the labels right-aligned on the longest label of the whole view.
 */

type Row =
  | { kind: "title"; text: string }
  | { kind: "row"; label: string; value: string }
  | { kind: "indent"; width: number }
  | { kind: "line"; text: string };

export class Columns {
  private readonly rows: Row[] = [];

  constructor(private readonly heading: string) {}

  section(title: string): this {
    this.rows.push({ kind: "title", text: title });
    return this;
  }

  row(label: string, value: string | number | boolean): this {
    this.rows.push({ kind: "row", label, value: String(value) });
    return this;
  }

  /** Rows and titles after this are indented by `width` spaces (nested sections). */
  indent(width: number): this {
    this.rows.push({ kind: "indent", width });
    return this;
  }

  /** A free line of text. */
  line(text: string): this {
    this.rows.push({ kind: "line", text });
    return this;
  }

  rowIf(label: string, value: string | number | boolean, when: boolean): this {
    return when ? this.row(label, value) : this;
  }

  rowIfNotEmpty(label: string, value: string | undefined): this {
    return this.rowIf(label, value ?? "", Boolean(value));
  }

  render(): string {
    const longest = Math.max(0, ...this.rows.map((r) => (r.kind === "row" ? r.label.length : 0)));
    const out: string[] = [];
    if (this.heading) out.push(this.heading, "");
    let prev: Row["kind"] | undefined;
    let indent = "";
    for (const r of this.rows) {
      if (r.kind === "indent") {
        indent = " ".repeat(r.width);
        continue;
      }
      if (r.kind === "title") {
        if (prev !== undefined && prev !== "title") out.push("");
        out.push(`${indent}${r.text}:`, "");
      } else if (r.kind === "line") {
        out.push(`${indent}${r.text}`);
      } else {
        out.push(`${indent}${" ".repeat(longest - r.label.length + 2)}${r.label}: ${r.value}`);
      }
      prev = r.kind;
    }
    return out.join("\n");
  }
}
