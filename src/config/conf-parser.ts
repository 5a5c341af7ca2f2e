/**
 * Parser for the NATS config language: builds the value tree from the lexer's tokens, merges `include`d
 * files in place and resolves `$variables`.
 *
 * Variables follow nats-server: a reference is looked up among the keys already defined in the enclosing
 * maps, innermost first, then in the environment. An environment value is itself parsed as a config value
 * (so `1k` is 1000 and `$OTHER` refers to another environment variable, never to a key in the file).
 * An included file is parsed on its own (it does not see the includer's variables); its keys land in the
 * map that holds the `include`, where later references can see them.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { ConfigError, type ConfPos } from "./config-error.js";
import type { ConfEntry, ConfMap, ConfValue } from "./conf-tree.js";
import { tokenize, type Token } from "./conf-lexer.js";

export interface ParseOptions {
  /** Where `$NAME` falls back to; defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Reads an included (or the main) file; defaults to fs.readFileSync(path, "utf8"). */
  readFile?: (path: string) => string;
}

/** Parses the config file at `path`; positions in errors use `path` as given. */
export function parseConfigFile(path: string, options: ParseOptions = {}): ConfMap {
  const text = readText(path, options, undefined);
  return new Parser(text, path, options, [resolve(path)], []).parseDocument();
}

/** Parses config text; `file` names it in positions and anchors relative includes. */
export function parseConfigText(text: string, file = "<config>", options: ParseOptions = {}): ConfMap {
  return new Parser(text, file, options, [resolve(file)], []).parseDocument();
}

/** Go-style wording for the common file errors, as nats-server prints them. */
function ioMessage(path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  const reason =
    code === "ENOENT"
      ? "no such file or directory"
      : code === "EACCES"
        ? "permission denied"
        : code === "EISDIR"
          ? "is a directory"
          : String((err as Error)?.message ?? err);
  return `open ${path}: ${reason}`;
}

function readText(path: string, options: ParseOptions, includedAt: { pos: ConfPos; as: string } | undefined): string {
  try {
    return (options.readFile ?? ((p: string) => readFileSync(p, "utf8")))(path);
  } catch (err) {
    const message = ioMessage(path, err);
    if (!includedAt) throw new ConfigError({ message });
    throw new ConfigError({ pos: includedAt.pos, message: `error parsing include file '${includedAt.as}', ${message}` });
  }
}

/** Gives a copied value (deeply) the position of the reference that produced it. */
function relocate(v: ConfValue, pos: ConfPos): ConfValue {
  switch (v.kind) {
    case "array":
      return { kind: "array", value: v.value.map((x) => relocate(x, pos)), pos };
    case "map": {
      const m: ConfMap = new Map();
      for (const [k, e] of v.value) m.set(k, { ...e, keyPos: pos, value: relocate(e.value, pos) });
      return { kind: "map", value: m, pos };
    }
    default:
      return { ...v, pos } as ConfValue;
  }
}

/** The key an environment value is parsed under (`KEY=<value>`), never visible outside. */
const ENV_VALUE_KEY = "__env_value__";

class Parser {
  private readonly tokens: Token[];
  private next = 0;
  private readonly scopes: ConfMap[] = [];

  /**
   * @param includeChain absolute paths of the files being parsed, outermost first (include cycles)
   * @param envChain environment variables being expanded, outermost first (reference cycles)
   */
  constructor(
    text: string,
    private readonly file: string,
    private readonly options: ParseOptions,
    private readonly includeChain: string[],
    private readonly envChain: string[],
  ) {
    this.tokens = tokenize(text, file);
  }

  parseDocument(): ConfMap {
    const doc: ConfMap = new Map();
    this.parseEntries(doc, "eof");
    return doc;
  }

  private take(): Token {
    return this.tokens[this.next++]!;
  }

  private parseEntries(map: ConfMap, end: "eof" | "mapEnd"): void {
    this.scopes.push(map);
    for (let tok = this.take(); tok.kind !== end; tok = this.take()) {
      if (tok.kind === "include") {
        this.include(tok.path, tok.pos, map);
        continue;
      }
      if (tok.kind !== "key") throw new ConfigError({ pos: tok.pos, message: `Unexpected ${tok.kind} where a key was expected.` });
      const entry: ConfEntry = { key: tok.text, keyPos: tok.pos, value: this.parseValue(this.take()), usedAsVariable: false };
      map.delete(tok.text); // a redefinition moves to its new place in file order
      map.set(tok.text, entry);
    }
    this.scopes.pop();
  }

  private parseValue(tok: Token): ConfValue {
    switch (tok.kind) {
      case "string":
      case "int":
      case "float":
      case "bool":
      case "datetime":
        return { kind: tok.kind, value: tok.value, pos: tok.pos } as ConfValue;
      case "arrayStart": {
        const items: ConfValue[] = [];
        for (let t = this.take(); t.kind !== "arrayEnd"; t = this.take()) items.push(this.parseValue(t));
        return { kind: "array", value: items, pos: tok.pos };
      }
      case "mapStart": {
        const m: ConfMap = new Map();
        this.parseEntries(m, "mapEnd");
        return { kind: "map", value: m, pos: tok.pos };
      }
      case "variable":
        return this.variable(tok.name, tok.pos);
      default:
        throw new ConfigError({ pos: tok.pos, message: `Unexpected ${tok.kind} where a value was expected.` });
    }
  }

  private variable(name: string, pos: ConfPos): ConfValue {
    for (let s = this.scopes.length - 1; s >= 0; s--) {
      const entry = this.scopes[s]!.get(name);
      if (entry) {
        entry.usedAsVariable = true;
        return relocate(entry.value, pos);
      }
    }
    if (this.envChain.includes(name)) {
      const cycle = [...this.envChain.slice(this.envChain.indexOf(name)), name].join(" -> ");
      throw new VariableCycleError({ pos, message: `variable reference cycle for '${name}' on line ${pos.line}: ${cycle}` });
    }
    const env = this.options.env ?? process.env;
    const text = env[name];
    if (text === undefined)
      throw new ConfigError({ pos, message: `variable reference for '${name}' on line ${pos.line} can not be found` });
    if (text === "") return { kind: "string", value: "", pos };
    let parsed: ConfMap;
    try {
      const sub = new Parser(`${ENV_VALUE_KEY}=${text}`, `$${name}`, this.options, this.includeChain, [...this.envChain, name]);
      parsed = sub.parseDocument();
    } catch (err) {
      if (err instanceof VariableCycleError || !(err instanceof ConfigError)) throw err;
      const inner = err.problems.map((p) => p.message).join("; ");
      throw new ConfigError({ pos, message: `variable reference for '${name}' on line ${pos.line} could not be parsed: ${inner}` });
    }
    const value = parsed.get(ENV_VALUE_KEY)?.value;
    if (!value || parsed.size !== 1)
      throw new ConfigError({ pos, message: `variable reference for '${name}' on line ${pos.line} could not be parsed` });
    return relocate(value, pos);
  }

  private include(path: string, pos: ConfPos, into: ConfMap): void {
    const target = isAbsolute(path) ? path : join(dirname(this.file), path);
    const abs = resolve(target);
    if (this.includeChain.includes(abs)) {
      const chain = [...this.includeChain.slice(this.includeChain.indexOf(abs)), abs].join(" -> ");
      throw new ConfigError({ pos, message: `error parsing include file '${path}', include cycle: ${chain}` });
    }
    const text = readText(target, this.options, { pos, as: path });
    const included = new Parser(text, target, this.options, [...this.includeChain, abs], this.envChain).parseDocument();
    for (const [k, e] of included) {
      into.delete(k);
      into.set(k, e);
    }
  }
}

/** A `$A` -> `$B` -> `$A` loop through the environment; passed up unwrapped. */
class VariableCycleError extends ConfigError {}
