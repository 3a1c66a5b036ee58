import { debugArg, quietArg } from "../args.ts";
import { defineSynapseCommand } from "../command.ts";
import { UsageError } from "../errors.ts";
import { writeOut } from "../stdout.ts";

/** How wide a description beside a word may be: the shells show it on the same line. */
const descriptionLength = 60;

/**
 * What the completion scripts ask for while a word is typed: one candidate a line, a tab, and
 * what it is. Nothing in the scripts depends on this being stable across versions but the
 * line shape: a script and the synapse it calls may differ.
 */
export default defineSynapseCommand({
  meta: { name: "synapse __complete", description: "Words that continue PREFIX, for the shell completion scripts: sessions (short ids and titles) or providers" },
  args: {
    kind: { type: "positional", required: true, valueHint: "sessions|providers", description: "What is being completed" },
    prefix: { type: "positional", required: false, default: "", valueHint: "prefix", description: "What has been typed of it" },
    ...quietArg,
    ...debugArg,
  },
  examples: ['synapse __complete sessions -- "Trip"', "synapse __complete providers -- o"],
  async run({ args }) {
    const prefix = args.prefix ?? "";
    if (args.kind === "sessions") {
      const { withStore } = await import("../open-store.ts");
      const { sessionCandidates } = await import("../../sessions/candidates.ts");
      // Never a new database for a Tab: with none there, there is nothing to offer (exit 1).
      const candidates = await withStore((store) => sessionCandidates(store, prefix), { existing: true });
      writeOut(candidates.map((c) => `${c.value}\t${describe(c.kind === "title" ? `session ${c.shortId}` : (c.session.title ?? c.session.preview ?? `${c.session.provider}/${c.session.model}`))}\n`).join(""));
      return;
    }
    if (args.kind === "providers") {
      const { loadConfig } = await import("../../config/load.ts");
      // As `synapse models` lists them: built-in, presets, the configuration's own, then echo.
      const providers = Object.values(loadConfig({ env: process.env }).providers).map((p) => ({ name: p.name, about: p.model ?? "give -m MODEL" }));
      const fitting = [...providers, { name: "echo", about: "offline" }].filter((p) => p.name.startsWith(prefix));
      writeOut(fitting.map((p) => `${p.name}\t${describe(p.about)}\n`).join(""));
      return;
    }
    throw new UsageError(`cannot complete "${args.kind}"; give sessions or providers`, "synapse __complete");
  },
});

/** A description on one line, without controls (a preview is what someone typed), cut to fit beside the word. */
function describe(text: string): string {
  const line = text.replace(/[\p{Cc}\u202A-\u202E\u2066-\u2069\s]+/gu, " ").trim();
  const chars = [...line];
  return chars.length > descriptionLength ? `${chars.slice(0, descriptionLength - 1).join("")}…` : line;
}
