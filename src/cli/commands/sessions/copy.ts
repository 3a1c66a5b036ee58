import { debugArg, quietArg } from "../../args.ts";
import { defineSynapseCommand } from "../../command.ts";
import { UsageError } from "../../errors.ts";
import { UserFacingError } from "../../../user-error.ts";

export default defineSynapseCommand({
  meta: { name: "copy", description: "Copy every session from one database to another (SQLite or PostgreSQL)" },
  args: {
    from: { type: "string", valueHint: "url", description: "The database to copy from (default: the configured one)" },
    to: { type: "string", valueHint: "url", description: "The database to copy to (default: the configured one)" },
    ...quietArg, ...debugArg,
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
    const { databaseIdentity, defaultDatabaseUrl, describeDatabase } = await import("../../../storage/create-storage.ts");
    const { copyDatabase } = await import("../../../sessions/copy.ts");
    const { progressBar } = await import("../../progress.ts");
    const { log } = await import("../../../log.ts");
    const configured = loadSessionSettings({ env: process.env }).databaseUrl ?? defaultDatabaseUrl();
    const fromUrl = args.from ?? configured;
    const toUrl = args.to ?? configured;
    if (databaseIdentity(fromUrl) === databaseIdentity(toUrl)) throw new UsageError("--from and --to name the same database", command);
    const bar = progressBar("copying sessions");
    const result = await copyDatabase(fromUrl, toUrl, bar.step);
    bar.clear();
    const notes = [
      result.updated > 0 ? `${result.updated} brought up to date` : "",
      result.unchanged > 0 ? `${result.unchanged} were there already` : "",
      result.newer > 0 ? `${result.newer} are newer there and were left as they are` : "",
    ].filter((n) => n !== "");
    log.info(`copied ${result.copied} sessions (${result.messages} messages) from ${describeDatabase(fromUrl)} to ${describeDatabase(toUrl)}${notes.length > 0 ? `; ${notes.join(", ")}` : ""}`);
    for (const id of result.conflicts) log.warn(`session ${id} differs in the target (other messages); it was left as it is there`);
    for (const { id, reason } of result.failed) log.error(`session ${id} was not copied: ${reason}`);
    if (result.conflicts.length + result.failed.length > 0) {
      throw new CopyIncomplete(`${result.conflicts.length + result.failed.length} sessions were not copied; see above`);
    }
  },
});

/** Some sessions could not be copied: each was named above; exit 1. */
class CopyIncomplete extends UserFacingError {}
