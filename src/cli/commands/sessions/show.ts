import { debugArg, jsonArg, parseSessionId, sessionIdArg } from "../../args.ts";
import { defineSynapseCommand } from "../../command.ts";

export default defineSynapseCommand({
  meta: { name: "show", description: "Show a session and every message in it" },
  args: { ...sessionIdArg, ...jsonArg, ...debugArg },
  examples: ["synapse sessions show 0b5e2c1e-8a6f-4c3b-9d2e-6f1a7c9b4d20", "synapse sessions show 0b5e2c1e-8a6f-4c3b-9d2e-6f1a7c9b4d20 --json"],
  async run({ args }) {
    const id = parseSessionId(args.id, "synapse sessions show");
    const { openStore } = await import("../../open-store.ts");
    const { printSession } = await import("../../format.ts");
    const { StorageError } = await import("../../../storage/errors.ts");
    const store = await openStore();
    try {
      const session = await store.getSession(id);
      if (session === null) throw StorageError.notFound(id);
      printSession(session, await store.getMessages(id), { json: args.json === true });
    } finally {
      await store.close();
    }
  },
});
