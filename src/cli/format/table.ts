/**
 * Tables as the nats CLI draws them (go-pretty's rounded style): a title box on top, then the header
 * row, a rule, and the rows. cli-table3 draws the body; the title box is laid over its top border.
 */
import Table from "cli-table3";

const ROUNDED = {
  top: "─", "top-mid": "┬", "top-left": "╭", "top-right": "╮",
  bottom: "─", "bottom-mid": "┴", "bottom-left": "╰", "bottom-right": "╯",
  left: "│", "left-mid": "├", mid: "", "mid-mid": "", right: "│", "right-mid": "┤", middle: "│",
};

export type Cell = string | number | boolean;

/** A table with a title box; `footer`, when given, is a last row set off by a rule (totals). */
export function renderTable(title: string, headers: string[], rows: Cell[][], footer?: Cell[]): string {
  const t = new Table({ head: headers, chars: ROUNDED, style: { head: [], border: [], "padding-left": 1, "padding-right": 1 } });
  for (const r of rows) t.push(r.map(String));
  if (footer) t.push(footer.map(String));
  // With "mid" empty cli-table3 still draws a bare "├┤" between rows: go-pretty draws none there.
  const lines = t.toString().split("\n").filter((l) => l !== "├┤");
  if (footer) lines.splice(lines.length - 2, 0, ruleOf(lines[0]!));
  // Header rule: cli-table3 puts none between head and body when "mid" is empty, so add go-pretty's.
  const top = lines[0]!;
  const rule = ruleOf(top);
  const body = [lines[0]!.replace("╭", "├").replace("╮", "┤"), lines[1]!, rule, ...lines.slice(2)];
  if (!title) return [top, ...body.slice(1)].join("\n");
  const inner = top.length - 2;
  const pad = inner - title.length;
  const left = Math.floor(pad / 2);
  const titleLine = "│" + " ".repeat(Math.max(0, left)) + title + " ".repeat(Math.max(0, pad - left)) + "│";
  return ["╭" + "─".repeat(inner) + "╮", titleLine, ...body].join("\n");
}

/** The rule between sections, shaped after the top border's column joints. */
function ruleOf(top: string): string {
  return "├" + top.slice(1, -1).replaceAll("┬", "┼") + "┤";
}
