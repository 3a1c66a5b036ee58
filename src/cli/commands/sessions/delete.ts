import { debugArg, parseSessionId, sessionIdArg } from "../../args.ts";
import { defineSynapseCommand } from "../../command.ts";

export default defineSynapseCommand({
  meta: { name: "delete", description: "Delete a session and all its messages" },
  args: { ...sessionIdArg, ...debugArg },
  examples: ["synapse sessions delete 0b5e2c1e-8a6f-4c3b-9d2e-6f1a7c9b4d20"],
  async run({ args }) {
    const id = parseSessionId(args.id, "synapse sessions delete");
    const { openStore } = await import("../../open-store.ts");
    const { StorageError } = await import("../../../storage/errors.ts");
    const { log } = await import("../../../log.ts");
    const store = await openStore();
    try {
      if (!(await store.deleteSession(id))) throw StorageError.notFound(id);
      log.info(`deleted session ${id}`);
    } finally {
      await store.close();
    }
  },
});
