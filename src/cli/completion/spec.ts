/**
 * What the shell completion scripts know, read from the command definitions themselves
 * (commands/), so a new command, flag or alias is completed without anyone editing a script:
 * each command's sub-commands, flags and what their values are, and what its words are.
 */
import type { ArgDef } from "citty";
import { aliasesOf } from "../argv.ts";
import type { SynapseCommand } from "../command.ts";
import { chatCommand, groups } from "../commands/index.ts";

/**
 * What a value is, and so how a shell completes it: sessions and providers are asked of
 * `synapse __complete`, files of the shell, words are listed, text is not completed.
 */
export type ValueKind = { kind: "sessions" } | { kind: "providers" } | { kind: "files" } | { kind: "text" } | { kind: "words"; words: readonly string[] };

export interface FlagSpec {
  /** `--session`, then its aliases (`-s`). */
  names: readonly string[];
  description: string;
  /** What the flag takes (as the next word, or after `=`); null for a flag that takes none. */
  value: ValueKind | null;
  /** What a flag that takes none may still be given after `=` (`--continue=REF`). */
  inline: ValueKind | null;
}

export interface CommandSpec {
  /** The words that run it: `synapse`, `synapse sessions`, `synapse sessions show`. */
  path: string;
  /** Its sub-commands, for a group (and `synapse` itself): they complete its first word. */
  commands: readonly { name: string; description: string }[];
  flags: readonly FlagSpec[];
  /** Its words in order (a session, a file, text). */
  positionals: readonly ValueKind[];
  /** Every word after those, for a command that takes any number (`sessions delete ID…`); else null. */
  rest: ValueKind | null;
}

const help: FlagSpec = { names: ["--help", "-h"], description: "Show the command's options and examples", value: null, inline: null };
const version: FlagSpec = { names: ["--version", "-v"], description: "Print the version", value: null, inline: null };

/** Every command a person runs, `synapse` first, each group before its sub-commands. Hidden commands are left out. */
export async function completionSpec(): Promise<CommandSpec[]> {
  const top = await chatCommand();
  const specs = [await specOf("synapse", top, groups, [version])];
  for (const [name, load] of Object.entries(groups)) {
    const group = await load();
    specs.push(await specOf(`synapse ${name}`, group, group.subCommands ?? {}));
    for (const [sub, loadSub] of Object.entries(group.subCommands ?? {})) {
      specs.push(await specOf(`synapse ${name} ${sub}`, await loadSub(), {}));
    }
  }
  return specs;
}

async function specOf(path: string, command: SynapseCommand, subCommands: Record<string, () => Promise<SynapseCommand>>, extra: FlagSpec[] = []): Promise<CommandSpec> {
  const commands = [];
  for (const [name, load] of Object.entries(subCommands)) commands.push({ name, description: descriptionOf(await load()) });
  const flags: FlagSpec[] = [];
  const positionals: ValueKind[] = [];
  for (const [name, def] of Object.entries(command.args ?? {})) {
    if (def.type === "positional") {
      positionals.push(valueOf(name, def));
      continue;
    }
    const inline = (command.inlineValues as Readonly<Record<string, "sessions">> | undefined)?.[name];
    flags.push({
      names: [`--${name}`, ...aliasesOf(def).map((alias) => (alias.length === 1 ? `-${alias}` : `--${alias}`))],
      description: def.description ?? "",
      // As argv.ts reads them: a flag of no declared type is a boolean.
      value: def.type === "boolean" || def.type === undefined ? null : valueOf(name, def),
      inline: inline === undefined ? null : { kind: inline },
    });
  }
  // A command that takes any number of words takes more of its last kind (`delete ID…`).
  const rest = command.variadic ? (positionals.at(-1) ?? { kind: "text" }) : null;
  return { path, commands, flags: [...flags, help, ...extra], positionals, rest };
}

/**
 * What an argument's value is, from how the commands declare it: an enum lists its words; a
 * `session` (or an `id`) names a session wherever it is asked for; a `provider` a provider.
 */
function valueOf(name: string, def: ArgDef): ValueKind {
  if (def.type === "enum") return { kind: "words", words: def.options ?? [] };
  if (name === "session" || def.valueHint === "id") return { kind: "sessions" };
  if (name === "provider") return { kind: "providers" };
  if (def.valueHint === "file") return { kind: "files" };
  return { kind: "text" };
}

function descriptionOf(command: SynapseCommand): string {
  const description = command.meta?.description;
  return typeof description === "string" ? description : "";
}

/** A value's kind as one shell word list: `sessions`, `words json markdown`. */
export function kindWords(kind: ValueKind): string {
  return kind.kind === "words" ? ["words", ...kind.words].join(" ") : kind.kind;
}
