/**
 * Flags + config file -> the server's options. The file is read (again, on every SIGHUP reload), the flags
 * are laid over it field by field — a flag given on the command line always wins — and nats-server's
 * defaults fill the rest.
 */
import { optionsFromConfig } from "./from-config.js";
import { parseConfigFile, type ParseOptions } from "./conf-parser.js";
import type { FlagResult } from "./flags.js";
import { mergePatches, withDefaults, type Options, type OptionsPatch } from "./options.js";

export interface ResolvedOptions {
  options: Options;
  /** `file:line:col: message` findings that do not stop the server (errors under `-t`). */
  warnings: string[];
}

/** A command line whose options nats-server refuses once the file is laid under it. */
export class ResolveError extends Error {
  override name = "ResolveError";
}

/** Throws ConfigError for a bad or unreadable config file, ResolveError for flags the file cannot complete. */
export function resolveOptions(flags: FlagResult, io: ParseOptions = {}): ResolvedOptions {
  let fromFile: OptionsPatch = {};
  let warnings: string[] = [];
  if (flags.configFile !== undefined) {
    ({ patch: fromFile, warnings } = optionsFromConfig(parseConfigFile(flags.configFile, io)));
  }
  const merged = mergePatches(fromFile, flags.set);
  // Routes given on the command line need a route listener from the flags or the file.
  const c = merged.cluster;
  if (flags.routesGiven && !c?.port && !c?.host) throw new ResolveError("solicited routes require cluster capabilities, e.g. --cluster");
  const options = withDefaults(merged);
  if (flags.configFile !== undefined) options.configFile = flags.configFile;
  return { options, warnings };
}
