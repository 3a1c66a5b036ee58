import { debugArg, quietArg } from "../args.ts";
import { defineSynapseCommand } from "../command.ts";
import { UsageError } from "../errors.ts";
import { writeOut } from "../stdout.ts";

export default defineSynapseCommand({
  meta: { name: "synapse completion", description: "Print the shell completion script for bash, zsh or fish (README: Shell completion)" },
  args: {
    shell: { type: "positional", required: true, valueHint: "bash|zsh|fish", description: "The shell: bash, zsh or fish" },
    ...quietArg,
    ...debugArg,
  },
  examples: [
    "source <(synapse completion bash)            # in ~/.bashrc",
    "synapse completion zsh > ~/.zfunc/_synapse    # a folder on $fpath",
    "synapse completion fish > ~/.config/fish/completions/synapse.fish",
  ],
  async run({ args }) {
    const { completionScript, shells } = await import("../completion/scripts.ts");
    const shell = shells.find((s) => s === args.shell);
    if (shell === undefined) throw new UsageError(`no completion for "${args.shell}"; give one of ${shells.join(", ")}`, "synapse completion");
    const { completionSpec } = await import("../completion/spec.ts");
    writeOut(completionScript(shell, await completionSpec()));
  },
});
