import { debugArg, quietArg } from "../../args.ts";
import { defineSynapseCommand } from "../../command.ts";

export default defineSynapseCommand({
  meta: {
    name: "edit",
    description: "Open the config file in $VISUAL / $EDITOR (made from a commented template listing every key when there is none), then check it",
  },
  args: { ...quietArg, ...debugArg },
  examples: ["synapse config edit", "EDITOR=nano synapse config edit", 'VISUAL="code --wait" synapse config edit'],
  async run() {
    const { configFilePath, createConfigFile } = await import("../../../config/config-file.ts");
    const { configTemplate } = await import("../../../config/template.ts");
    const { loadConfig } = await import("../../../config/load.ts");
    const { editInEditor } = await import("../../editor.ts");
    const { log } = await import("../../../log.ts");
    const { UserFacingError } = await import("../../../user-error.ts");
    const { messageOf } = await import("../../../unknown-values.ts");
    const { path } = configFilePath(process.env);
    if (createConfigFile(path, configTemplate())) log.info(`created ${path}, every setting in it commented out`);
    await editInEditor(path);
    try {
      // As a chat would load it: the file, then the environment over it.
      loadConfig({ env: process.env });
    } catch (error) {
      // The edit stays as saved: reverting it would lose the user's work to one typo.
      throw new UserFacingError(`${messageOf(error)}; the file is saved as you left it: fix it with synapse config edit`, { cause: error });
    }
    log.info(`${path} is valid`);
  },
});
