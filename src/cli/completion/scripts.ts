/**
 * The completion scripts `synapse completion SHELL` prints: tables made here from the command
 * definitions (spec.ts), then the part that reads them, written in each shell's own language
 * (main.bash, main.zsh, main.fish: embedded as text, so a compiled binary carries them).
 * Sessions and providers are not in the tables: the scripts ask `synapse __complete` for them.
 */
import bashMain from "./main.bash" with { type: "text" };
import fishMain from "./main.fish" with { type: "text" };
import zshMain from "./main.zsh" with { type: "text" };
import { kindWords, type CommandSpec, type ValueKind } from "./spec.ts";

export const shells = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof shells)[number];

/** The whole script for `shell`: paste-able, or to be saved where the shell loads completions. */
export function completionScript(shell: Shell, specs: readonly CommandSpec[]): string {
  const tables = { bash: bashTables, zsh: zshTables, fish: fishTables }[shell](specs);
  const main = { bash: bashMain, zsh: zshMain, fish: fishMain }[shell];
  return `${header[shell]}\n${tables}\n${main}`;
}

const header: Record<Shell, string> = {
  bash: `# bash completion for synapse, made by \`synapse completion bash\` from its command definitions.
# Load it with: source <(synapse completion bash)   (in ~/.bashrc), or save it as
# ~/.local/share/bash-completion/completions/synapse. Needs bash 4 or newer.
`,
  zsh: `#compdef synapse
# zsh completion for synapse, made by \`synapse completion zsh\` from its command definitions.
# Save it as _synapse in a folder on $fpath (before compinit runs), or, after compinit:
# source <(synapse completion zsh)
`,
  fish: `# fish completion for synapse, made by \`synapse completion fish\` from its command definitions.
# Save it as ~/.config/fish/completions/synapse.fish, or: synapse completion fish | source
`,
};

/** One table entry per flag name: what the flag takes, when it takes a value. */
function valueEntries(specs: readonly CommandSpec[], which: "value" | "inline"): [string[], ValueKind][] {
  return specs.flatMap((spec) => spec.flags.flatMap((flag): [string[], ValueKind][] => {
    const kind = flag[which];
    // Only a long flag is given a value after `=`: `-c=REF` is refused.
    const names = which === "inline" ? flag.names.filter((name) => name.startsWith("--")) : flag.names;
    return kind === null ? [] : [[names.map((name) => `${spec.path} ${name}`), kind]];
  }));
}

/** What each word of a command is, by its place; the place is `*` for the words after those (`delete ID…`). Text is left out: nothing completes it. */
function positionalEntries(specs: readonly CommandSpec[]): [string, ValueKind, boolean][] {
  return specs.flatMap((spec) => [
    ...spec.positionals.flatMap((kind, index): [string, ValueKind, boolean][] => (kind.kind === "text" ? [] : [[`${spec.path} ${index}`, kind, false]])),
    ...(spec.rest === null || spec.rest.kind === "text" ? [] : [[`${spec.path} `, spec.rest, true] as [string, ValueKind, boolean]]),
  ]);
}

/** Quoted for bash and zsh: between single quotes, a quote written '\''. */
function sh(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** Quoted for fish: between single quotes, where only \\ and \' are escapes. */
function fish(text: string): string {
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

/** A description on one line, as the shells show them beside a word. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function bashTables(specs: readonly CommandSpec[]): string {
  const list = (name: string, rows: [string, string[]][]) =>
    `${name}() {\n  case $1 in\n${rows.map(([path, words]) => `    ${sh(path)}) _synapse_list=(${words.map(sh).join(" ")}) ;;\n`).join("")}    *) _synapse_list=() ;;\n  esac\n}\n`;
  const kinds = (name: string, rows: [string[], ValueKind][], rest: string[] = []) =>
    `${name}() {\n  case "$1 $2" in\n${rows.map(([keys, kind]) => `    ${keys.map(sh).join(" | ")}) _synapse_kind=${sh(kindWords(kind))} ;;\n`).join("")}${rest.join("")}    *) _synapse_kind= ;;\n  esac\n}\n`;
  const positionals = positionalEntries(specs);
  return [
    "# The sub-commands of a command, by the words that run it.",
    list("_synapse_commands", specs.filter((s) => s.commands.length > 0).map((s) => [s.path, s.commands.map((c) => c.name)])),
    "# The flags of a command.",
    list("_synapse_flags", specs.map((s) => [s.path, s.flags.flatMap((f) => f.names)])),
    "# What a flag's value is: sessions, providers, files, text or words (listed).",
    kinds("_synapse_value", valueEntries(specs, "value")),
    "# What a flag that takes no value may be given after = (--continue=REF).",
    kinds("_synapse_inline", valueEntries(specs, "inline")),
    "# What a command's word is, by its place (0 for the first).",
    kinds(
      "_synapse_positional",
      positionals.filter(([, , rest]) => !rest).map(([key, kind]) => [[key], kind]),
      positionals.filter(([, , rest]) => rest).map(([key, kind]) => `    ${sh(key)}[0-9]*) _synapse_kind=${sh(kindWords(kind))} ;;\n`),
    ),
  ].join("\n");
}

function zshTables(specs: readonly CommandSpec[]): string {
  // _describe reads `word:description`; a colon in the word is written \:.
  const described = (word: string, description: string) => sh(`${word.replaceAll(":", "\\:")}:${oneLine(description)}`);
  const list = (name: string, rows: [string, string[]][]) =>
    `${name}() {\n  case $1 in\n${rows.map(([path, words]) => `    (${sh(path)}) reply=(${words.join(" ")}) ;;\n`).join("")}    (*) reply=() ;;\n  esac\n}\n`;
  const kinds = (name: string, rows: [string[], ValueKind][], rest: string[] = []) =>
    `${name}() {\n  case "$1 $2" in\n${rows.map(([keys, kind]) => `    (${keys.map(sh).join("|")}) REPLY=${sh(kindWords(kind))} ;;\n`).join("")}${rest.join("")}    (*) REPLY= ;;\n  esac\n}\n`;
  const positionals = positionalEntries(specs);
  return [
    "# The sub-commands of a command, by the words that run it, with what each does.",
    list("_synapse_commands", specs.filter((s) => s.commands.length > 0).map((s) => [s.path, s.commands.map((c) => described(c.name, c.description))])),
    "# The flags of a command, with what each does.",
    list("_synapse_flags", specs.map((s) => [s.path, s.flags.flatMap((f) => f.names.map((n) => described(n, f.description)))])),
    "# What a flag's value is: sessions, providers, files, text or words (listed).",
    kinds("_synapse_value", valueEntries(specs, "value")),
    "# What a flag that takes no value may be given after = (--continue=REF).",
    kinds("_synapse_inline", valueEntries(specs, "inline")),
    "# What a command's word is, by its place (0 for the first).",
    kinds(
      "_synapse_positional",
      positionals.filter(([, , rest]) => !rest).map(([key, kind]) => [[key], kind]),
      positionals.filter(([, , rest]) => rest).map(([key, kind]) => `    (${sh(key)}<->) REPLY=${sh(kindWords(kind))} ;;\n`),
    ),
  ].join("\n");
}

function fishTables(specs: readonly CommandSpec[]): string {
  const described = (rows: [string, string][]) => `printf '%s\\t%s\\n' ${rows.map(([word, description]) => `${fish(word)} ${fish(oneLine(description))}`).join(" ")}`;
  const list = (name: string, params: string, rows: [string, string][]) =>
    `function ${name} --argument-names ${params}\n    switch $cmd\n${rows.map(([path, body]) => `        case ${fish(path)}\n            ${body}\n`).join("")}    end\nend\n`;
  const kinds = (name: string, rows: [string[], ValueKind][], rest: string[] = []) =>
    `function ${name} --argument-names cmd word\n    switch "$cmd $word"\n${rows.map(([keys, kind]) => `        case ${keys.map(fish).join(" ")}\n            echo ${fish(kindWords(kind))}\n`).join("")}${rest.join("")}    end\nend\n`;
  const positionals = positionalEntries(specs);
  return [
    "# The sub-commands of a command, by the words that run it, with what each does.",
    list("__synapse_commands", "cmd", specs.filter((s) => s.commands.length > 0).map((s) => [s.path, described(s.commands.map((c) => [c.name, c.description]))])),
    "# The flags of a command, with what each does.",
    list("__synapse_flags", "cmd", specs.map((s) => [s.path, described(s.flags.flatMap((f) => f.names.map((n): [string, string] => [n, f.description])))])),
    "# What a flag's value is: sessions, providers, files, text or words (listed).",
    kinds("__synapse_value", valueEntries(specs, "value")),
    "# What a flag that takes no value may be given after = (--continue=REF).",
    kinds("__synapse_inline", valueEntries(specs, "inline")),
    "# What a command's word is, by its place (0 for the first).",
    kinds(
      "__synapse_positional",
      positionals.filter(([, , rest]) => !rest).map(([key, kind]) => [[key], kind]),
      positionals.filter(([, , rest]) => rest).map(([key, kind]) => `        case ${fish(`${key}*`)}\n            echo ${fish(kindWords(kind))}\n`),
    ),
  ].join("\n");
}
