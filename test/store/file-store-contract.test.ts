import { describe } from "node:test";
import { BlockCache } from "../../src/store/index.js";
import { storeContract } from "./contract.js";
import { fileKit } from "./helpers.js";

describe("file store (default blocks)", () => storeContract(() => fileKit()));
// Tiny blocks: every few messages roll over, so the same behaviour holds across block boundaries.
describe("file store (256-byte blocks)", () => storeContract(() => fileKit({ blockSize: 256, cache: new BlockCache(0) })));
