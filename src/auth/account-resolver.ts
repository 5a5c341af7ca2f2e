/**
 * Where account JWTs live in operator mode. Lookups are synchronous (everything is held in memory);
 * the `full` directory resolver also keeps each JWT on disk as `<dir>/<account public key>.jwt`,
 * written atomically, and loads the directory when the server starts.
 * Checking that a JWT is signed by a trusted operator is the caller's job (see Trust).
 */
import { mkdir, readdir, readFile, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { ResolverOptions } from "../config/options.js";
import { writeFileAtomic } from "../util/atomic-file.js";

export class AccountResolver {
  private readonly jwts = new Map<string, string>();

  constructor(
    readonly options: ResolverOptions,
    preload: Record<string, string> = {},
  ) {
    for (const [k, v] of Object.entries(preload)) this.jwts.set(k, v);
  }

  get kind(): ResolverOptions["type"] {
    return this.options.type;
  }

  /** The directory resolvers serve `$SYS.REQ.CLAIMS.*` (list, pack, delete); MEMORY only takes updates. */
  get isDirectory(): boolean {
    return this.kind === "full" || this.kind === "cache";
  }

  /** Loads the JWTs already on disk (directory resolvers). */
  async start(): Promise<void> {
    const dir = this.options.dir;
    if (!this.isDirectory || dir === undefined) return;
    await mkdir(dir, { recursive: true });
    for (const f of await readdir(dir)) {
      if (!f.endsWith(".jwt")) continue;
      const key = f.slice(0, -4);
      if (this.jwts.has(key)) continue;
      this.jwts.set(key, (await readFile(join(dir, f), "utf8")).trim());
    }
  }

  fetch(account: string): string | undefined {
    return this.jwts.get(account);
  }

  list(): string[] {
    return [...this.jwts.keys()];
  }

  /** Stores (or replaces) an account's JWT; refused when the directory is full. */
  async store(account: string, jwt: string): Promise<void> {
    if (!this.jwts.has(account) && this.isDirectory && this.jwts.size >= this.options.limit) throw new Error("resolver limit reached");
    this.jwts.set(account, jwt);
    if (this.isDirectory && this.options.dir !== undefined) await writeFileAtomic(join(this.options.dir, `${account}.jwt`), jwt);
  }

  /** Removes an account's JWT (only with allow_delete); a soft delete keeps the file renamed aside. */
  async delete(account: string): Promise<void> {
    if (!this.options.allowDelete) throw new Error("delete not allowed");
    this.jwts.delete(account);
    const dir = this.options.dir;
    if (!this.isDirectory || dir === undefined) return;
    const file = join(dir, `${account}.jwt`);
    if (this.options.hardDelete) await unlink(file).catch(() => undefined);
    else await rename(file, `${file}.deleted`).catch(() => undefined);
  }
}
