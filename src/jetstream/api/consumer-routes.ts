/**
 * The CONSUMER.* routes of the $JS.API router. Owned by the consumer side of the JetStream layer; the
 * stream side only calls this once when the router is built.
 */
import type { ApiRouter } from "./router.js";

export function registerConsumerRoutes(_r: ApiRouter): void {}
