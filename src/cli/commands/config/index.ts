import { defineSynapseCommand } from "../../command.ts";

export default defineSynapseCommand({
  meta: { name: "synapse config", description: "Where the config file is, edit it, and check what is in effect" },
  subCommands: {
    path: () => import("./path.ts").then((m) => m.default),
    edit: () => import("./edit.ts").then((m) => m.default),
    check: () => import("./check.ts").then((m) => m.default),
  },
  examples: ["synapse config path", "synapse config edit", "synapse config check", "synapse config check --json | jq .session"],
});
