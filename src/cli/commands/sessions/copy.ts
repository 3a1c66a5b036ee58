import { debugArg } from "../../args.ts";
import { defineSynapseCommand } from "../../command.ts";
import { UsageError } from "../../errors.ts";
import { UserFacingError } from "../../../user-error.ts";

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
    const { createStorage, databaseIdentity, defaultDatabaseUrl } = await import("../../../storage/create-storage.ts");
    const { copySessions } = await import("../../../sessions/copy.ts");
    const { describeUrl } = await import("../../../storage/postgres/postgres-errors.ts");
    const { progressBar } = await import("../../progress.ts");
    const { log } = await import("../../../log.ts");
    const configured = loadSessionSettings({ env: process.env }).databaseUrl ?? defaultDatabaseUrl();
    const fromUrl = args.from ?? configured;
    const toUrl = args.to ?? configured;
    if (databaseIdentity(fromUrl) === databaseIdentity(toUrl)) throw new UsageError("--from and --to name the same database", command);
    // The source must be a Synapse database already: a mistyped path is an error, not an empty copy.
    const from = await createStorage(fromUrl, { existing: true });
    try {
      const to = await createStorage(toUrl);
      try {
        const bar = progressBar("copying sessions");
        const result = await copySessions(from, to, bar.step);
        bar.clear();
        const shown = (url: string) => (/^postgres/i.test(url) ? describeUrl(url) : url);
        const notes = [
          result.updated > 0 ? `${result.updated} brought up to date` : "",
          result.unchanged > 0 ? `${result.unchanged} were there already` : "",
          result.newer > 0 ? `${result.newer} are newer there and were left as they are` : "",
        ].filter((n) => n !== "");
        log.info(`copied ${result.copied} sessions (${result.messages} messages) from ${shown(fromUrl)} to ${shown(toUrl)}${notes.length > 0 ? `; ${notes.join(", ")}` : ""}`);
        for (const id of result.conflicts) log.warn(`session ${id} differs in the target (other messages); it was left as it is there`);
        for (const { id, reason } of result.failed) log.error(`session ${id} was not copied: ${reason}`);
        if (result.conflicts.length + result.failed.length > 0) {
          throw new CopyIncomplete(`${result.conflicts.length + result.failed.length} sessions were not copied; see above`);
        }
      } finally {
        await to.close();
      }
    } finally {
      await from.close();
    }
  },
});

/** Some sessions could not be copied: each was named above; exit 1. */
class CopyIncomplete extends UserFacingError {}
