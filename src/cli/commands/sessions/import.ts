import { debugArg } from "../../args.ts";
import { defineSynapseCommand } from "../../command.ts";
import { writeOut } from "../../stdout.ts";
import { UsageError } from "../../errors.ts";

export default defineSynapseCommand({
  meta: { name: "import", description: "Store a session from a JSON export; prints its id" },
  args: {
    file: { type: "positional", required: true, valueHint: "file", description: "The export to read, or - for stdin" },
    "new-id": { type: "boolean", description: "Import as a copy with new ids (needed when the session exists)" },
    ...debugArg,
  },
  examples: ["synapse sessions import trip.json", "synapse sessions export 3f2c9a4e | synapse sessions import --new-id -"],
  async run({ args }) {
    const command = "synapse sessions import";
    const text = await readInput(args.file, command);
    const { parseExport, ExportFormatError } = await import("../../../session-export.ts");
    const { withStore } = await import("../../open-store.ts");
    const { log } = await import("../../../log.ts");
    let parsed;
    try {
      parsed = parseExport(text, { newIds: args["new-id"] === true });
    } catch (error) {
      if (error instanceof ExportFormatError) throw new ExportFormatError(`${args.file === "-" ? "stdin" : args.file} is ${error.message}`);
      throw error;
    }
    const { session, messages } = parsed;
    await withStore(async (store) => {
      if ((await store.getSession(session.id)) !== null) {
        throw new UsageError(`session ${session.id} exists already; import it as a copy with --new-id`, command);
      }
      await store.importSession(session, messages);
    });
    writeOut(`${session.id}\n`);
    log.info(`imported session ${session.id} (${messages.length} messages)`);
  },
});

async function readInput(file: string, command: string): Promise<string> {
  if (file === "-") return Bun.stdin.text();
  const handle = Bun.file(file);
  if (!(await handle.exists())) throw new UsageError(`${file}: no such file`, command);
  return handle.text();
}
