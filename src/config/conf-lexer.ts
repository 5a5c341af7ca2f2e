/**
 * Lexer for the NATS config language (nats-server's `conf` format). It turns text into a flat token
 * stream; nesting is tracked with a context stack because what a word means (key or value) and what may
 * end it depends on where it stands. Unquoted values are classified here: numbers (with size suffixes),
 * booleans, datetimes, `$variables`, otherwise strings.
 *
 * Where nats-server 2.9's lexer has accidents (it ignores a stray `}` at top level, it rejects a number
 * directly followed by `,` or `]` inside an array: `[1,2]`), this lexer follows the documented syntax.
 */
import { ConfigError, type ConfPos } from "./config-error.js";
import { sizeSuffixMultiplier } from "../util/size.js";

export type Token =
  | { kind: "key"; text: string; pos: ConfPos }
  | { kind: "include"; path: string; pos: ConfPos }
  | { kind: "string"; value: string; pos: ConfPos }
  | { kind: "int" | "float"; value: number; pos: ConfPos }
  | { kind: "bool"; value: boolean; pos: ConfPos }
  | { kind: "datetime"; value: Date; pos: ConfPos }
  | { kind: "variable"; name: string; pos: ConfPos }
  | { kind: "arrayStart" | "arrayEnd" | "mapStart" | "mapEnd" | "eof"; pos: ConfPos };

type Context = "top" | "map" | "array";

const TRUE_WORDS = new Set(["true", "yes", "on"]);
const FALSE_WORDS = new Set(["false", "no", "off"]);
/** nats-server treats a value starting like a bcrypt hash as a literal, not a variable reference. */
const BCRYPT_PREFIX = "$2a$";
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;
const INT64_MAX = 9223372036854775807;

function isSpace(c: string | undefined): boolean {
  return c === " " || c === "\t" || c === "\r";
}
function isNewline(c: string | undefined): boolean {
  return c === "\n";
}
function isWhite(c: string | undefined): boolean {
  return isSpace(c) || isNewline(c);
}
function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}
/** Characters that end an unquoted value. */
function endsBareValue(c: string | undefined): boolean {
  return c === undefined || isWhite(c) || c === "," || c === ";" || c === "}" || c === "]";
}
function show(c: string | undefined): string {
  return c === undefined ? "EOF" : c === "\n" ? "\\n" : c;
}

export function tokenize(text: string, file: string): Token[] {
  return new Lexer(text, file).run();
}

class Lexer {
  private i = 0;
  private readonly lineStarts: number[] = [0];
  private readonly stack: Context[] = ["top"];
  private readonly tokens: Token[] = [];

  constructor(
    private readonly src: string,
    private readonly file: string,
  ) {
    for (let k = 0; k < src.length; k++) if (src[k] === "\n") this.lineStarts.push(k + 1);
  }

  run(): Token[] {
    for (;;) {
      const ctx = this.context();
      if (ctx === "array") {
        this.skipBlank(false);
        const c = this.peek();
        if (c === undefined) this.fail("Unexpected EOF processing array.");
        if (c === "]") {
          this.emitAt("arrayEnd", this.i++);
          this.stack.pop();
          this.afterValue();
        } else if (c === ",") {
          this.fail("Unexpected array value terminator ','.");
        } else {
          this.value();
        }
        continue;
      }
      this.skipBlank(ctx === "top");
      const c = this.peek();
      if (c === undefined) {
        if (ctx === "map") this.fail("Unexpected EOF processing map.");
        this.emitAt("eof", this.i);
        return this.tokens;
      }
      if (c === "}") {
        if (ctx !== "map") this.fail("Unexpected '}' outside of a map.");
        this.emitAt("mapEnd", this.i++);
        this.stack.pop();
        this.afterValue();
        continue;
      }
      this.entry();
    }
  }

  // ---- positions and errors

  private posAt(index: number): ConfPos {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return { file: this.file, line: lo + 1, col: index - this.lineStarts[lo]! + 1 };
  }

  /** A problem found at a newline is reported on the next line, where nats-server's lexer already stands. */
  private fail(message: string, at = this.i): never {
    throw new ConfigError({ pos: this.posAt(this.src[at] === "\n" ? at + 1 : at), message });
  }

  private emitAt(kind: "arrayStart" | "arrayEnd" | "mapStart" | "mapEnd" | "eof", at: number): void {
    this.tokens.push({ kind, pos: this.posAt(at) });
  }

  private context(): Context {
    return this.stack[this.stack.length - 1]!;
  }

  private peek(offset = 0): string | undefined {
    return this.src[this.i + offset];
  }

  // ---- skipping

  private atComment(): boolean {
    return this.peek() === "#" || (this.peek() === "/" && this.peek(1) === "/");
  }

  private skipComment(): void {
    while (this.i < this.src.length && this.src[this.i] !== "\n") this.i++;
  }

  private skipSpaces(): void {
    while (isSpace(this.peek())) this.i++;
  }

  /** Whitespace, newlines and comments; at top level also stray `,`/`;` (nats-server allows `port: 1;;`). */
  private skipBlank(separatorsToo: boolean): void {
    for (;;) {
      const c = this.peek();
      if (isWhite(c) || (separatorsToo && (c === "," || c === ";"))) this.i++;
      else if (this.atComment()) this.skipComment();
      else return;
    }
  }

  /** After a complete value: what may follow depends on the enclosing context. */
  private afterValue(): void {
    this.skipSpaces();
    const c = this.peek();
    if (c === undefined || isNewline(c) || this.atComment()) return;
    switch (this.context()) {
      case "top":
        if (c === "," || c === ";") this.i++;
        else this.fail(`Expected a top-level value to end with a new line, comment or EOF, but got '${show(c)}' instead.`);
        return;
      case "map":
        if (c === "," || c === ";") this.i++;
        else if (c !== "}")
          this.fail(`Expected a map value terminator "," or a map terminator "}", but got '${show(c)}' instead.`);
        return;
      case "array":
        if (c === ",") {
          this.i++;
          this.skipBlank(false);
          if (this.peek() === ",") this.fail("Unexpected array value terminator ','.");
        } else if (c !== "]") {
          this.fail(`Expected an array value terminator "," or an array terminator "]", but got '${show(c)}' instead.`);
        }
        return;
    }
  }

  // ---- keys

  private entry(): void {
    const c = this.peek();
    let keyStart = this.i;
    let key: string;
    if (c === '"' || c === "'") {
      keyStart = ++this.i;
      while (this.i < this.src.length && this.src[this.i] !== c && this.src[this.i] !== "\n") this.i++;
      if (this.peek() !== c) this.fail("Unexpected end of a quoted key.");
      key = this.src.slice(keyStart, this.i++);
    } else if (c === "=" || c === ":") {
      this.fail(`Unexpected key separator '${c}'`);
    } else if (c === "[" || c === "{" || c === "]") {
      this.fail(`Expected a key but got '${c}' instead.`);
    } else {
      while (this.i < this.src.length && !isWhite(this.peek()) && this.peek() !== "=" && this.peek() !== ":") this.i++;
      key = this.src.slice(keyStart, this.i);
      if (key.toLowerCase() === "include" && isSpace(this.peek())) {
        this.include(keyStart);
        return;
      }
    }
    this.skipSpaces();
    const sep = this.peek();
    const explicit = sep === "=" || sep === ":";
    if (explicit) {
      this.i++;
      this.skipSpaces();
    } else {
      // Without a separator the value may even start on a later line (`authorization` ⏎ `{`).
      while (isWhite(this.peek())) this.i++;
    }
    const v = this.peek();
    if (v === undefined) {
      // nats-server ignores a lone trailing key at the end of a file.
      if (!explicit && this.context() === "top") return;
      this.fail(this.context() === "map" ? "Unexpected EOF processing map." : "Expected value but found EOF");
    }
    if (isNewline(v)) this.fail("Expected value but found new line");
    this.tokens.push({ kind: "key", text: key, pos: this.posAt(keyStart) });
    this.value();
  }

  private include(at: number): void {
    this.skipSpaces();
    const c = this.peek();
    let path: string;
    if (c === '"' || c === "'") {
      const start = ++this.i;
      while (this.i < this.src.length && this.src[this.i] !== c && this.src[this.i] !== "\n") this.i++;
      if (this.peek() !== c) this.fail("Unexpected end of a quoted include path.");
      path = this.src.slice(start, this.i++);
    } else {
      const start = this.i;
      while (!endsBareValue(this.peek())) this.i++;
      path = this.src.slice(start, this.i);
    }
    if (path === "") this.fail("Expected a file name after 'include'.");
    this.tokens.push({ kind: "include", path, pos: this.posAt(at) });
    this.afterValue();
  }

  // ---- values

  private value(): void {
    const start = this.i;
    const c = this.peek();
    switch (c) {
      case "[":
        this.i++;
        this.emitAt("arrayStart", start);
        this.stack.push("array");
        return;
      case "{":
        this.i++;
        this.emitAt("mapStart", start);
        this.stack.push("map");
        return;
      // nats-server places a quoted value where its text starts, after the quote.
      case '"':
        this.tokens.push({ kind: "string", value: this.doubleQuoted(), pos: this.posAt(start + 1) });
        break;
      case "'":
        this.tokens.push({ kind: "string", value: this.singleQuoted(), pos: this.posAt(start + 1) });
        break;
      case "(":
        this.tokens.push({ kind: "string", value: this.block(), pos: this.posAt(start) });
        break;
      default:
        this.bare();
    }
    this.afterValue();
  }

  private doubleQuoted(): string {
    this.i++;
    const bytes: number[] = [];
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.fail("Unexpected EOF.");
      if (c === '"') {
        this.i++;
        return Buffer.from(bytes).toString("utf8");
      }
      if (c !== "\\") {
        const cp = this.src.codePointAt(this.i)!;
        const ch = String.fromCodePoint(cp);
        bytes.push(...Buffer.from(ch, "utf8"));
        this.i += ch.length;
        continue;
      }
      const e = this.peek(1);
      const simple: Record<string, number> = { t: 9, n: 10, r: 13, '"': 34, "\\": 92 };
      if (e !== undefined && e in simple) {
        bytes.push(simple[e]!);
        this.i += 2;
      } else if (e === "x") {
        const hex = this.src.slice(this.i + 2, this.i + 4);
        if (!/^[0-9a-fA-F]{2}$/.test(hex))
          this.fail(`Expected two hexadecimal digits after '\\x', but got '${hex}' instead.`);
        bytes.push(parseInt(hex, 16));
        this.i += 4;
      } else {
        this.fail(
          `Invalid escape character '${show(e)}'. Only the following escape characters are allowed: \\xXX, \\t, \\n, \\r, \\", \\\\.`,
          this.i + 1,
        );
      }
    }
  }

  private singleQuoted(): string {
    const start = ++this.i;
    const end = this.src.indexOf("'", start);
    if (end < 0) {
      this.i = this.src.length;
      this.fail("Unexpected EOF.");
    }
    this.i = end + 1;
    return this.src.slice(start, end);
  }

  /** `( ... )`: raw text up to a `)` alone at the start of a line. */
  private block(): string {
    const start = ++this.i;
    let k = start;
    for (;;) {
      const close = this.src.indexOf("\n)", k);
      if (close < 0) {
        this.i = this.src.length;
        this.fail("Unexpected EOF processing block.");
      }
      const after = close + 2;
      const rest = this.src.slice(after, after + 2);
      if (after === this.src.length || rest[0] === "\n" || rest === "\r\n") {
        this.i = after;
        return this.src.slice(start, close + 1);
      }
      k = close + 1;
    }
  }

  private bare(): void {
    const start = this.i;
    while (!endsBareValue(this.peek())) this.i++;
    const text = this.src.slice(start, this.i);
    const pos = this.posAt(start);
    if (text === "") this.fail(`Expected a value but got '${show(this.peek())}' instead.`);
    const lower = text.toLowerCase();
    if (TRUE_WORDS.has(lower) || FALSE_WORDS.has(lower)) {
      this.tokens.push({ kind: "bool", value: TRUE_WORDS.has(lower), pos });
    } else if (text[0] === "$" && !text.startsWith(BCRYPT_PREFIX)) {
      this.tokens.push({ kind: "variable", name: text.slice(1), pos });
    } else if (text[0] === "-" && !isDigit(text[1])) {
      this.fail(`Expected a digit but got '${show(text[1] ?? this.peek())}'.`, start + 1);
    } else if (text[0] === "." && isDigit(text[1])) {
      this.fail("Floats must start with a digit", start);
    } else if (isDigit(text[0]) || text[0] === "-") {
      this.tokens.push(this.numberLike(text, start));
    } else {
      this.tokens.push({ kind: "string", value: text, pos });
    }
  }

  /** A word starting with a digit: a number, a sized number, a datetime, or (like `127.0.0.1`) a string. */
  private numberLike(text: string, start: number): Token {
    const pos = this.posAt(start);
    const int = /^(-?\d+)([a-zA-Z]*)$/.exec(text);
    if (int) {
      const multiplier = int[2] === "" ? 1 : sizeSuffixMultiplier(int[2]!);
      if (multiplier === undefined) return { kind: "string", value: text, pos };
      const value = Number(int[1]) * multiplier;
      if (Math.abs(value) > INT64_MAX) this.fail(`Integer '${text}' is out of the range.`, start);
      return { kind: "int", value, pos };
    }
    if (/^-?\d+\.\d+$/.test(text)) return { kind: "float", value: Number(text), pos };
    const dot = /^-?\d+\.(\D|$)/.exec(text);
    if (dot) this.fail(`Floats must have a digit after the '.', but got '${show(dot[1] || this.peek())}' instead.`, start);
    const float = /^-?\d+\.\d+/.exec(text);
    if (float && !text.slice(float[0].length).includes(".")) {
      const at = start + float[0].length;
      this.fail(`Expected a value to end after '${float[0]}', but got '${show(this.src[at])}' instead.`, at);
    }
    if (/^\d+-/.test(text)) {
      const d = DATETIME.exec(text);
      const date = d ? new Date(text) : undefined;
      if (!date || Number.isNaN(date.getTime()))
        this.fail(`Invalid datetime '${text}': ISO8601 dates must be in full Zulu form (YYYY-MM-DDTHH:MM:SSZ).`, start);
      return { kind: "datetime", value: date, pos };
    }
    return { kind: "string", value: text, pos };
  }
}
