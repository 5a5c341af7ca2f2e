/**
 * `consumer add` on a terminal: the questions the nats CLI asks for every setting not given as a flag,
 * with its defaults (an empty delivery target makes a pull consumer). --defaults, --config, or the
 * lack of a terminal skips them.
 */
import type { ConsumerFlags } from "./consumer-config.js";
import { askChoice, askText } from "./prompt.js";

export async function askConsumerFlags(f: ConsumerFlags): Promise<ConsumerFlags> {
  const o: ConsumerFlags = { ...f };
  if (!o.pull && o.target === undefined) {
    const target = await askText("Delivery target (empty for Pull Consumers)", "");
    if (target) o.target = target;
    else o.pull = true;
  }
  o.deliver ??= await askText("Start policy (all, new, last, subject, 1h, msg sequence)", "all");
  o.ack ??= await askChoice("Acknowledgment policy", ["explicit", "all", "none"], o.target ? "none" : "explicit");
  o.replay ??= await askChoice("Replay policy", ["instant", "original"], "instant");
  if (!o.filter) {
    const filter = await askText("Filter Stream by subjects (blank for all)", "");
    if (filter) o.filter = [filter];
  }
  o.maxDeliver ??= await askText("Maximum Allowed Deliveries", "-1");
  o.maxPending ??= await askText("Maximum Acknowledgments Pending", "0");
  return o;
}
