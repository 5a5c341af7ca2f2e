import { describe } from "node:test";
import { storeContract } from "./contract.js";
import { memoryKit } from "./helpers.js";

describe("memory store", () => storeContract(memoryKit));
