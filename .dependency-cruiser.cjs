/**
 * The import rules of DESIGN.md ("Layers"), checked by `npm run lint:deps`:
 * - imports run downward only: a layer imports its own files and the layers below it, never one above
 *   it or beside it (auth/ and tls/ share a row and stay apart);
 * - no cycles, type-only imports included (an `import type` circle is a circle: break it with a narrow
 *   interface owned by the lower side);
 * - cli/ is built on the official clients only: it imports nothing else of src/, and nothing imports it.
 *
 * The order is DESIGN.md's, with one difference taken from the code: config/ sits above subjects/,
 * because it checks the subjects a config file names with subjects/validate.ts.
 */

/** Bottom to top. Names are folders of src/, or top-level files of src/ (ending in .ts). */
const LAYERS = [
  ["util", "v8-tuning.ts"],
  ["protocol"],
  ["subjects"],
  ["config"],
  ["store"],
  ["auth", "tls"],
  ["server"],
  ["raft"],
  ["jetstream"],
  ["monitor"],
  ["index.ts"],
  ["main.ts"],
];

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const pathOf = (name) => (name.endsWith(".ts") ? `^src/${escape(name)}$` : `^src/${escape(name)}/`);
const anyOf = (names) => names.map(pathOf).join("|");

const layerRules = LAYERS.flatMap((row, rank) => {
  const below = LAYERS.slice(0, rank).flat();
  return row.map((name) => ({
    name: `layer-${name.replace(/\.ts$/, "")}`,
    comment: `${name} may import only ${[name, ...below].join(", ")} (DESIGN.md, Layers)`,
    severity: "error",
    from: { path: pathOf(name) },
    to: { path: "^src/", pathNot: anyOf([name, ...below]) },
  }));
});

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "An import cycle, type-only imports included: break it with a narrow interface owned by the lower side",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "cli-uses-clients-only",
      comment: "cli/ is built on the official @nats-io clients only: it never imports server code",
      severity: "error",
      from: { path: "^src/cli/" },
      to: { path: "^src/", pathNot: "^src/cli/" },
    },
    {
      name: "nothing-imports-cli",
      comment: "cli/ is an entry point of its own",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/cli/" },
      to: { path: "^src/cli/" },
    },
    {
      name: "unknown-layer",
      // Files that import nothing pass this one, but no layer may import them (each layer's rule lists
      // what it may import), so a folder left out of LAYERS is caught as soon as it is used.
      comment: "Every file of src/ belongs to a layer of DESIGN.md: add a new folder to LAYERS in .dependency-cruiser.cjs",
      severity: "error",
      from: { path: "^src/", pathNot: `${anyOf(LAYERS.flat())}|^src/cli/` },
      to: {},
    },
    ...layerRules,
  ],
  options: {
    // Type-only imports count: a cycle through `import type` is still a cycle.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|dist)/" },
    includeOnly: "^src/",
  },
};
