import { debugArg, jsonArg, quietArg } from "../../args.ts";
import { defineSynapseCommand } from "../../command.ts";

export default defineSynapseCommand({
  meta: {
    name: "check",
    description: "Load the configuration as a chat would and print what is in effect: provider, model, each provider's address, model and key state (never a key), session and display settings",
  },
  args: { ...jsonArg, ...quietArg, ...debugArg },
  examples: ["synapse config check", "synapse config check --json | jq '.providers[] | select(.key == \"missing\") | .name'", "SYNAPSE_PROVIDER=openai synapse config check"],
  async run({ args }) {
    const { loadConfig } = await import("../../../config/load.ts");
    const { configProblems, printConfigCheck } = await import("../../config-output.ts");
    const { log } = await import("../../../log.ts");
    const config = loadConfig({ env: process.env });
    printConfigCheck(config, process.env, { json: args.json === true });
    for (const problem of configProblems(config)) log.warn(problem);
  },
});
