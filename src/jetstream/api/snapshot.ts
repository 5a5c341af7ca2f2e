/** STREAM.SNAPSHOT and STREAM.RESTORE (filled in below). */
import type { ApiRouter } from "./router.js";

export function registerSnapshot(_r: ApiRouter): void {}
