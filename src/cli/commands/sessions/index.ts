import { defineSynapseCommand } from "../../command.ts";

export default defineSynapseCommand({
  meta: { name: "synapse sessions", description: "List, show and delete stored sessions" },
  subCommands: {
    list: () => import("./list.ts").then((m) => m.default),
    show: () => import("./show.ts").then((m) => m.default),
    delete: () => import("./delete.ts").then((m) => m.default),
  },
  examples: ["synapse sessions list", "synapse sessions show 0b5e2c1e-8a6f-4c3b-9d2e-6f1a7c9b4d20", "synapse sessions list --json | jq '.[0].id'"],
});
