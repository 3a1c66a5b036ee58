import { debugArg, quietArg } from "../../args.ts";
import { defineSynapseCommand } from "../../command.ts";
import { writeOut } from "../../stdout.ts";

export default defineSynapseCommand({
  meta: { name: "path", description: "Print where the config file is, or would be ($SYNAPSE_CONFIG, else the config folder); says on stderr when it does not exist yet" },
  args: { ...quietArg, ...debugArg },
  examples: ["synapse config path", 'cat "$(synapse config path)"', "SYNAPSE_CONFIG=~/work.toml synapse config path"],
  async run() {
    const { existsSync } = await import("node:fs");
    const { configFilePath } = await import("../../../config/config-file.ts");
    const { textFor } = await import("../../terminal-text.ts");
    const { stdoutInfo } = await import("../../../tty.ts");
    const { log } = await import("../../../log.ts");
    const { path, explicit } = configFilePath(process.env);
    writeOut(`${textFor(stdoutInfo)(path)}\n`);
    if (existsSync(path)) return;
    // Not an error: with no file the defaults apply, unless SYNAPSE_CONFIG names it.
    log.info(
      explicit
        ? "it does not exist yet, and SYNAPSE_CONFIG names it, so commands that read it fail; create it with: synapse config edit"
        : "it does not exist yet, so the defaults apply; create it with: synapse config edit",
    );
  },
});
