import { debugArg, jsonArg } from "../../args.ts";
import { defineSynapseCommand } from "../../command.ts";

export default defineSynapseCommand({
  meta: { name: "list", description: "List sessions, most recently used first" },
  args: { ...jsonArg, ...debugArg },
  examples: ["synapse sessions list", "synapse sessions list --json | jq -r '.[] | .id + \"  \" + (.preview // \"\")'"],
  async run({ args }) {
    const { openStore } = await import("../../open-store.ts");
    const { printSessionList } = await import("../../format.ts");
    const store = await openStore();
    try {
      printSessionList(await store.listSessions(), { json: args.json === true });
    } finally {
      await store.close();
    }
  },
});
