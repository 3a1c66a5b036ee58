/**
 * Commands run like those in index.ts but listed by no `--help`: for the shell completion
 * scripts, not for people at a prompt (`completion` is in the README). Apart from index.ts
 * because `completion` reads every command listed there.
 */
import type { SynapseCommand } from "../command.ts";

export const hiddenCommands: Record<string, () => Promise<SynapseCommand>> = {
  completion: () => import("./completion.ts").then((m) => m.default as SynapseCommand),
  __complete: () => import("./complete.ts").then((m) => m.default as SynapseCommand),
};
