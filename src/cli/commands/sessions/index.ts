import { defineSynapseCommand } from "../../command.ts";

export default defineSynapseCommand({
  meta: { name: "synapse sessions", description: "List, search, show, fork, export, import, copy and delete stored sessions" },
  subCommands: {
    list: () => import("./list.ts").then((m) => m.default),
    show: () => import("./show.ts").then((m) => m.default),
    search: () => import("./search.ts").then((m) => m.default),
    rename: () => import("./rename.ts").then((m) => m.default),
    fork: () => import("./fork.ts").then((m) => m.default),
    attachment: () => import("./attachment.ts").then((m) => m.default),
    export: () => import("./export.ts").then((m) => m.default),
    import: () => import("./import.ts").then((m) => m.default),
    delete: () => import("./delete.ts").then((m) => m.default),
    prune: () => import("./prune.ts").then((m) => m.default),
    copy: () => import("./copy.ts").then((m) => m.default),
  },
  examples: [
    "synapse sessions list",
    "synapse sessions show 3f2c9a4e",
    "synapse sessions show -x > script.sh",
    "synapse sessions fork 3f2c9a4e --at 2",
    'synapse sessions search "sqlite wal"',
    "synapse sessions list --json | jq '.[0].id'",
  ],
});
