import { debugArg } from "../../args.ts";
import { defineSynapseCommand } from "../../command.ts";
import { UsageError } from "../../errors.ts";

export default defineSynapseCommand({
  meta: { name: "copy", description: "Copy every session from one database to another (SQLite or PostgreSQL)" },
  args: {
    from: { type: "string", valueHint: "url", description: "The database to copy from (default: the configured one)" },
    to: { type: "string", valueHint: "url", description: "The database to copy to (default: the configured one)" },
    ...debugArg,
  },
  examples: [
    "synapse sessions copy --to postgres://me@db.internal/synapse",
    "synapse sessions copy --from sqlite:~/.config/synapse/sessions.db --to postgres://me@db.internal/synapse",
    "synapse sessions copy --from postgres://me@db.internal/synapse --to sqlite:~/backup.db",
  ],
  async run({ args }) {
    const command = "synapse sessions copy";
    if (args.from === undefined && args.to === undefined) throw new UsageError("give --from, --to, or both", command);
    const { loadSessionSettings } = await import("../../../config/load.ts");
    const { createStorage, defaultDatabaseUrl } = await import("../../../storage/create-storage.ts");
    const { copySessions } = await import("../../../storage/copy.ts");
    const { describeUrl } = await import("../../../storage/postgres/postgres-errors.ts");
    const { progressBar } = await import("../../progress.ts");
    const { log } = await import("../../../log.ts");
    const configured = loadSessionSettings({ env: process.env }).databaseUrl ?? defaultDatabaseUrl();
    const fromUrl = args.from ?? configured;
    const toUrl = args.to ?? configured;
    if (fromUrl === toUrl) throw new UsageError("--from and --to name the same database", command);
    const from = await createStorage(fromUrl);
    try {
      const to = await createStorage(toUrl);
      try {
        const bar = progressBar("copying sessions");
        const result = await copySessions(from, to, bar.step);
        bar.clear();
        const shown = (url: string) => (/^postgres/i.test(url) ? describeUrl(url) : url);
        log.info(
          `copied ${result.copied} sessions (${result.messages} messages) from ${shown(fromUrl)} to ${shown(toUrl)}` +
            (result.skipped > 0 ? `; ${result.skipped} were there already and were left as they are` : ""),
        );
      } finally {
        await to.close();
      }
    } finally {
      await from.close();
    }
  },
});
