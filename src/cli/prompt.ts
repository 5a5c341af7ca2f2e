/** Questions asked on a terminal (confirmations, the next page, missing values). */
import { createInterface } from "node:readline/promises";

/** A yes/no question; an empty answer takes the default. */
export async function askYesNo(question: string, dflt: boolean): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const a = (await rl.question(`? ${question} (${dflt ? "Y/n" : "y/N"}) `)).trim();
    return a === "" ? dflt : /^y(es)?$/i.test(a);
  } finally {
    rl.close();
  }
}
