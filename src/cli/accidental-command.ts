/**
 * A short message that reads like a command typed wrong (`synapse list`, `synapse sesions list`,
 * `synapse help`) would be sent to the model as a paid prompt and stored as a session. Such a
 * message is refused with the command it probably meant; `synapse -- …` sends it anyway.
 */
import { editDistance } from "../edit-distance.ts";

/** At most this many words: a real question that starts with "show" or "list" is longer. */
const maxWords = 3;
/** Misspellings are only looked for in names this long: "how" is not "show" with an edit. */
const minTypoLength = 6;
const maxEdits = 2;

export interface CommandNames {
  /** Top-level commands: `chat`, `models`, `sessions`, … */
  commands: readonly string[];
  /** The `sessions` group's sub-commands: `list`, `show`, … */
  sessionCommands: readonly string[];
}

/**
 * The command `words` probably meant (`sessions list`), or null when they read as a message.
 * `words` is the message as typed, without what follows `--`.
 */
export function accidentalCommand(words: readonly string[], names: CommandNames): string | null {
  if (words.length === 0 || words.length > maxWords) return null;
  const [first, ...rest] = words.map((word) => word.toLowerCase()) as [string, ...string[]];
  // `synapse help me`: help is `synapse --help` (or `synapse help COMMAND`).
  if (first === "help") return "--help";
  // A sub-command without its group: `synapse list` → `synapse sessions list`.
  if (names.sessionCommands.includes(first)) return ["sessions", first, ...rest].join(" ");
  const command = closest(first, names.commands);
  if (command === null) return null;
  // `sesions list` → `sessions list`; `sesion lst`: the sub-command corrected too.
  if (command === "sessions" && rest.length > 0) {
    const sub = names.sessionCommands.includes(rest[0]!) ? rest[0]! : closest(rest[0]!, names.sessionCommands);
    if (sub !== null) return ["sessions", sub, ...rest.slice(1)].join(" ");
  }
  return [command, ...rest].join(" ");
}

/** The name `word` is, or a misspelling of (at most two edits, names of six letters or more). */
function closest(word: string, names: readonly string[]): string | null {
  if (names.includes(word)) return word;
  let best: string | null = null;
  let bestDistance = maxEdits + 1;
  for (const name of names) {
    if (name.length < minTypoLength) continue;
    const distance = editDistance(word, name);
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}
