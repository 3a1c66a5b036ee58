/**
 * Every command, loaded only when used: `--help`, `--version` and `sessions …` never load the
 * provider code, and `--help` never opens the database.
 */
import type { SynapseCommand } from "../command.ts";

type Lazy = () => Promise<SynapseCommand>;

/** The top-level command: `synapse [message]`. */
export const chatCommand: Lazy = () => import("./chat.ts").then((m) => m.default as SynapseCommand);

/** Commands named by their first word: `synapse sessions …`, `synapse config …` (groups of sub-commands), `synapse chat`. */
export const groups: Record<string, Lazy> = {
  chat: () => import("./chat-mode.ts").then((m) => m.default as SynapseCommand),
  config: () => import("./config/index.ts").then((m) => m.default as SynapseCommand),
  models: () => import("./models.ts").then((m) => m.default as SynapseCommand),
  sessions: () => import("./sessions/index.ts").then((m) => m.default as SynapseCommand),
  tools: () => import("./tools.ts").then((m) => m.default as SynapseCommand),
};
