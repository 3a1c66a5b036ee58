import packageJson from "../../package.json" with { type: "json" };
import { outputWritten, writeOut } from "./stdout.ts";

/** `synapse --version`: the version, and exit 0 once it is written. */
export async function printVersion(): Promise<number> {
  writeOut(`${packageJson.version}\n`);
  return outputWritten();
}
