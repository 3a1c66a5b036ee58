import { allowToolsArg, debugArg, fileArg, providerArgs, quietArg, rawArg } from "../args.ts";
import { defineSynapseCommand } from "../command.ts";

export default defineSynapseCommand({
  variadic: true,
  meta: {
    name: "synapse",
    description: "Chat with a language model; every exchange is kept as a session you can continue",
  },
  args: {
    message: {
      type: "positional",
      required: false,
      description: "What to ask. Piped input is read too: `cat notes.md | synapse \"Summarize\"` sends both",
    },
    session: {
      type: "string",
      alias: "s",
      valueHint: "id",
      description: "Continue this session, with its whole history: its id, a unique start of it, or its exact title",
    },
    continue: {
      type: "boolean",
      alias: "c",
      description: "Continue the session used most recently; --continue=ID continues that one (id, start of it, or title)",
    },
    retry: {
      type: "boolean",
      description: "Ask the last question of a session (-s, or the latest) again; the new reply goes to a fork, the old one stays",
    },
    title: { type: "string", valueHint: "title", description: "Title for a new session (shown by lists; -s accepts it)" },
    editor: { type: "boolean", alias: "e", description: "Write the message in $VISUAL / $EDITOR (with -s or -c, the last reply is shown for reference)" },
    ...fileArg,
    ...allowToolsArg,
    ...providerArgs,
    system: { type: "string", valueHint: "prompt", description: "System prompt for a new session" },
    ...rawArg,
    ...quietArg,
    ...debugArg,
  },
  inlineValues: { continue: "sessions" },
  examples: [
    'synapse "Explain WAL mode in SQLite"',
    'synapse -s 0b5e2c1e "And what does synchronous=FULL add?"',
    'synapse -c "One more thing"',
    'synapse --continue="Trip planning" "And back?"',
    'synapse --title "Trip planning" "Trains from Lyon to Turin?"',
    'cat error.log | synapse "What went wrong?"',
    'synapse -f notes.md "Summarise"',
    'synapse -f before.png -f after.png "What changed?"',
    'synapse -p openai -m gpt-4o-mini --system "Answer in one line" "Capital of Peru?"',
    'synapse -p echo "Try Synapse without an account"',
    "synapse -c -e",
    "synapse --retry",
    "synapse --retry -s 0b5e2c1e -m gpt-4o",
    "synapse chat",
    "synapse sessions list",
    "synapse sessions show --last | pbcopy",
    "synapse config edit",
  ],
  async run({ args, inline, repeated }) {
    // `--continue=Trip` continues that session, like -s Trip; a boolean flag's value is kept aside.
    const named = inline.continue;
    // What a message and the chat it may open are both given.
    const common = {
      continueLatest: args.continue === true && named === undefined,
      title: args.title,
      provider: args.provider,
      model: args.model,
      system: args.system,
      raw: args.raw === true,
      files: repeated.file ?? [],
      allowTools: args["allow-tools"] === true,
    };
    // Nothing to send, and a person at the terminal: the conversation opens (synapse chat).
    const { stdinInfo, stdoutInfo } = await import("../../tty.ts");
    if (args._.length === 0 && args.editor !== true && args.retry !== true && stdinInfo.isTTY && stdoutInfo.isTTY) {
      const { runChatLoop } = await import("../chat-loop.ts");
      if (args.session !== undefined && (args.continue === true || named !== undefined)) {
        const { UsageError } = await import("../errors.ts");
        throw new UsageError("-s and -c both choose a session; give one");
      }
      return runChatLoop({ ...common, session: args.session ?? named });
    }
    const { runChat } = await import("../run-chat.ts");
    await runChat({ ...common, words: args._, session: args.session, continueWith: named, editor: args.editor === true, retry: args.retry === true });
  },
});
