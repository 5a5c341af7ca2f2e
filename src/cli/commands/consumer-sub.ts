/**
 * `tsnats consumer sub STREAM CONSUMER`: reads a durable consumer, push or pull, printing each message
 * as `consumer next` does and acknowledging it unless the consumer's policy is none or --no-ack. Where
 * the nats CLI takes one message from a pull consumer, this reads on until --count or a signal.
 */
import type { Command } from "commander";
import type { Consumer, JsMsg, PushConsumer } from "@nats-io/jetstream";
import { client, manager, type AckMetadata } from "../jetstream.js";
import { parseIntFlag, withConnection } from "../runtime.js";
import { consumeUntil } from "../js-consume.js";
import { deliveredView } from "../consumer-message.js";
import { CliError, describeError } from "../errors.js";

function metaOf(m: JsMsg): AckMetadata {
  const i = m.info;
  return { stream: i.stream, consumer: i.consumer, delivered: i.deliveryCount, streamSeq: i.streamSequence, consumerSeq: i.deliverySequence, pending: i.pending };
}

interface SubFlags {
  ack?: boolean;
  raw?: boolean;
  count?: number;
}

export function addConsumerSubVerb(con: Command): void {
  con.command("sub").description("Retrieves messages from Consumers")
    .argument("<stream>", "Stream name")
    .argument("<consumer>", "Consumer name")
    .option("--ack", "Acknowledge received message (default)")
    .option("--no-ack", "Do not acknowledge received message")
    .option("-r, --raw", "Show only the message")
    .option("--count <n>", "Quit after receiving this many messages", parseIntFlag)
    .action(async (stream: string, name: string, o: SubFlags, cmd: Command) => {
      await withConnection(cmd, async (nc, s) => {
        const info = await (await manager(nc, s)).consumers.info(stream, name).catch((e: unknown) => {
          throw new CliError(`could not load Consumer: ${describeError(e)}`);
        });
        const ack = o.ack !== false && info.config.ack_policy !== "none";
        const js = client(nc, s);
        const consumer: Consumer | PushConsumer = info.config.deliver_subject
          ? await js.consumers.getPushConsumer(stream, name)
          : await js.consumers.get(stream, name);
        let received = 0;
        await consumeUntil(consumer, (m: JsMsg) => {
          received++;
          process.stdout.write(deliveredView({ subject: m.subject, headers: m.headers, data: m.data, meta: metaOf(m) }, o.raw));
          if (ack) {
            m.ack();
            if (!o.raw) process.stdout.write("\nAcknowledged message\n\n");
          }
          return o.count !== undefined && received >= o.count;
        }, o.count !== undefined ? { total: o.count } : {});
        if (ack) await nc.flush();
      });
    });
}
