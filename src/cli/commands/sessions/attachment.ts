import { debugArg, quietArg, sessionRefArg } from "../../args.ts";
import { defineSynapseCommand } from "../../command.ts";

export default defineSynapseCommand({
  meta: { name: "attachment", description: "Write a file a session's question carried (-f) to stdout, byte for byte" },
  args: {
    ...sessionRefArg,
    file: { type: "positional", required: true, description: "The file: the start of its SHA-256 (as sessions show prints it) or its name", valueHint: "hash" },
    ...quietArg, ...debugArg,
  },
  examples: ["synapse sessions attachment 3f2c9a4e 9b1d2e7f0a3c > chart.png", "synapse sessions attachment 3f2c9a4e notes.md | less"],
  async run({ args }) {
    const { withStore } = await import("../../open-store.ts");
    const { resolveSession } = await import("../../../sessions/refs.ts");
    const { findAttachment } = await import("../../../sessions/attachment-ref.ts");
    const { StorageError } = await import("../../../storage/errors.ts");
    const { stdoutInfo } = await import("../../../tty.ts");
    const { writeOut } = await import("../../stdout.ts");
    const { UsageError } = await import("../../errors.ts");
    await withStore(async (store) => {
      const session = await resolveSession(store, args.session);
      const file = findAttachment(session.id, await store.getMessages(session.id), args.file);
      // An image's bytes would drive the terminal, as `curl` and `cat` of a binary do.
      if (file.mediaType !== "text/plain" && stdoutInfo.isTTY) {
        throw new UsageError(`${file.name} is an image (${file.mediaType}); redirect it to a file: > ${file.name}`, "synapse sessions attachment");
      }
      const data = await store.readAttachment(file.sha256);
      if (data === null) throw StorageError.invalidData(`the file ${JSON.stringify(file.name)} (${file.sha256.slice(0, 12)}) is missing from the database`, { sessionId: session.id });
      // A text file on a terminal is shown as stored text is everywhere: its control characters as escapes.
      if (stdoutInfo.isTTY) {
        const { textFor } = await import("../../terminal-text.ts");
        writeOut(textFor(stdoutInfo)(new TextDecoder().decode(data)));
      } else {
        writeOut(data);
      }
    });
  },
});
