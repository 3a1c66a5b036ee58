import { debugArg, jsonArg, quietArg } from "../args.ts";
import { defineSynapseCommand } from "../command.ts";

export default defineSynapseCommand({
  meta: {
    name: "synapse tools",
    description:
      "Start the MCP servers configured under [mcp.servers.NAME] and list each with its tools: the name the model is offered, and whether it runs without asking (read-only, or allowed by [mcp] allow) or asks first. Exit 1 when a server does not start",
  },
  args: { ...jsonArg, ...quietArg, ...debugArg },
  examples: ["synapse tools", "synapse tools --json | jq -r '.servers[].tools[] | select(.approval == \"asks\") | .name'"],
  async run({ args }) {
    const { loadConfig } = await import("../../config/load.ts");
    const { printTools } = await import("../tools-output.ts");
    const failed = await printTools(loadConfig({ env: process.env }), { json: args.json === true });
    return failed ? 1 : undefined;
  },
});
