import { debugArg, jsonArg, quietArg } from "../args.ts";
import { defineSynapseCommand } from "../command.ts";

export default defineSynapseCommand({
  meta: { name: "synapse models", description: "List every provider (built-in, preset, configured) with its wire format, address, default model and whether its key is set; and the aliases" },
  args: { ...jsonArg, ...quietArg, ...debugArg },
  examples: ["synapse models", "synapse models --json | jq '.providers[] | select(.key == \"set\") | .name'"],
  async run({ args }) {
    const { loadConfig } = await import("../../config/load.ts");
    const { describeLocalModels, printModels } = await import("../models-output.ts");
    const config = loadConfig({ env: process.env });
    printModels(config, { json: args.json === true }, await describeLocalModels(config));
  },
});
