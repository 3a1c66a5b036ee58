import { debugArg, quietArg, sessionRefArg } from "../../args.ts";
import { defineSynapseCommand } from "../../command.ts";
import { writeOut } from "../../stdout.ts";
import { UsageError } from "../../errors.ts";

export default defineSynapseCommand({
  meta: { name: "fork", description: "Start a new session from a session's first messages (all by default); prints its id" },
  args: {
    ...sessionRefArg,
    at: { type: "string", valueHint: "N", description: "Copy the first N messages, as `sessions show` numbers them (0 for none; all by default)" },
    title: { type: "string", valueHint: "title", description: 'The new session\'s title (by default the original\'s, with " (fork)")' },
    ...quietArg, ...debugArg,
  },
  examples: [
    "synapse sessions fork 3f2c9a4e",
    "synapse sessions fork 3f2c9a4e --at 4 --title \"Trip by train\"",
    'synapse -s "$(synapse sessions fork 3f2c9a4e --at 2)" "What about the coast instead?"',
  ],
  async run({ args }) {
    const command = "synapse sessions fork";
    const at = args.at === undefined ? undefined : forkPoint(args.at, command);
    const { withStore } = await import("../../open-store.ts");
    const { normalizeTitle, resolveSession, shortIdOf } = await import("../../../sessions/refs.ts");
    const { StorageError } = await import("../../../storage/errors.ts");
    const { log } = await import("../../../log.ts");
    const { colorEnabled, styleFor } = await import("../../../style.ts");
    const { stderrInfo } = await import("../../../tty.ts");
    const title = args.title === undefined ? undefined : normalizeTitle(args.title);
    await withStore(async (store) => {
      const source = await resolveSession(store, args.session);
      let fork;
      try {
        fork = await store.forkSession(source.id, { at, title });
      } catch (error) {
        // A point beyond the end is the user's to fix, like any other argument.
        if (error instanceof StorageError && error.kind === "invalid_data" && at !== undefined) throw new UsageError(error.message, command);
        throw error;
      }
      writeOut(`${fork.id}\n`);
      const short = await shortIdOf(store, fork.id).catch(() => fork.id);
      log.info(styleFor(colorEnabled(stderrInfo)).dim(`forked session ${source.id}${at === undefined ? "" : ` at message ${at}`} · continue it with: synapse -s ${short} "…"`));
    });
  },
});

/** `--at`: a whole number from 0. */
function forkPoint(value: string, command: string): number {
  const at = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(at)) throw new UsageError(`--at takes the number of messages to copy (0 or more), not "${value}"`, command);
  return at;
}
