import { allowToolsArg, debugArg, fileArg, providerArgs, quietArg, rawArg } from "../args.ts";
import { defineSynapseCommand } from "../command.ts";
import { UsageError } from "../errors.ts";

export default defineSynapseCommand({
  meta: {
    name: "synapse chat",
    description: "Keep a conversation open at the terminal: every turn is stored as it happens",
  },
  args: {
    session: { type: "string", alias: "s", valueHint: "id", description: "Continue this session: its id, a unique start of it, or its exact title" },
    continue: { type: "boolean", alias: "c", description: "Continue the session used most recently" },
    title: { type: "string", valueHint: "title", description: "Title for the new session" },
    ...providerArgs,
    system: { type: "string", valueHint: "prompt", description: "System prompt for the new session" },
    ...fileArg,
    ...allowToolsArg,
    ...rawArg,
    ...quietArg,
    ...debugArg,
  },
  examples: [
    "synapse chat",
    "synapse chat -c",
    'synapse chat -s "Trip planning"',
    'synapse chat -p echo --title "Trying it out"',
    "synapse chat -f diagram.png          (the file goes with the first message)",
    "in the chat: /help, /new, /sessions, /switch REF, /title TEXT, /model NAME, /provider NAME, /system TEXT, /file PATH, /show, /retry, /edit, /exit",
  ],
  async run({ args, repeated }) {
    const continuing = args.session !== undefined || args.continue === true;
    if (args.session !== undefined && args.continue === true) throw new UsageError("-s and -c both choose a session; give one", "synapse chat");
    if (continuing && args.system !== undefined) throw new UsageError("--system sets the prompt of a new session; a continued session keeps its own", "synapse chat");
    if (continuing && args.title !== undefined) throw new UsageError("--title names a new session; in the chat, /title renames the one in use", "synapse chat");
    const { runChatLoop } = await import("../chat-loop.ts");
    return runChatLoop({
      session: args.session,
      continueLatest: args.continue === true,
      title: args.title,
      provider: args.provider,
      model: args.model,
      system: args.system,
      raw: args.raw === true,
      files: repeated.file ?? [],
      allowTools: args["allow-tools"] === true,
    });
  },
});
