import { debugArg, quietArg } from "../../args.ts";
import { defineSynapseCommand } from "../../command.ts";
import { writeOut } from "../../stdout.ts";
import { UsageError } from "../../errors.ts";

export default defineSynapseCommand({
  meta: { name: "import", description: "Store a session from a JSON export; prints its id" },
  args: {
    file: { type: "positional", required: true, valueHint: "file", description: "The export to read, or - for stdin" },
    "new-id": { type: "boolean", description: "Import as a copy with new ids (needed when the session exists)" },
    ...quietArg, ...debugArg,
  },
  examples: ["synapse sessions import trip.json", "synapse sessions export 3f2c9a4e | synapse sessions import --new-id -"],
  async run({ args }) {
    const command = "synapse sessions import";
    const text = await readInput(args.file, command);
    const { parseExport, ExportFormatError } = await import("../../../sessions/export.ts");
    const { withStore } = await import("../../open-store.ts");
    const { log } = await import("../../../log.ts");
    let parsed;
    try {
      parsed = parseExport(text, { newIds: args["new-id"] === true });
    } catch (error) {
      if (error instanceof ExportFormatError) throw new ExportFormatError(`${args.file === "-" ? "stdin" : args.file} is ${error.message}`);
      throw error;
    }
    const { session, messages, origin } = parsed;
    const { StorageError } = await import("../../../storage/errors.ts");
    await withStore(async (store) => {
      try {
        await store.importSession(session, messages);
        // A fork keeps the record of where it came from (its source may not be in this store).
        if (origin !== null) await store.setSessionOrigin(session.id, origin);
      } catch (error) {
        // The session's id, or one of its messages' ids, is taken: a copy needs new ones.
        if (error instanceof StorageError && error.idTaken) {
          throw new UsageError(`${error.message}; import it as a copy with --new-id`, command);
        }
        throw error;
      }
    });
    writeOut(`${session.id}\n`);
    log.info(`imported session ${session.id} (${messages.length} messages)`);
  },
});

async function readInput(file: string, command: string): Promise<string> {
  const { decodeUtf8 } = await import("../../stdin.ts");
  const text = file === "-" ? decodeUtf8(await Bun.stdin.bytes(), "stdin") : decodeUtf8(await readFile(file, command), file);
  if (text.trim() === "") throw new UsageError(`${file === "-" ? "stdin" : file} is empty`, command);
  return text;
}

async function readFile(file: string, command: string): Promise<Uint8Array> {
  const { statSync } = await import("node:fs");
  const stat = statSync(file, { throwIfNoEntry: false });
  if (stat === undefined) throw new UsageError(`${file}: no such file`, command);
  if (stat.isDirectory()) throw new UsageError(`${file} is a folder; give the export file`, command);
  return Bun.file(file).bytes();
}
