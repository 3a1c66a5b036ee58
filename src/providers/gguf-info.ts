/**
 * A local model's GGUF file: checked before node-llama-cpp sees it, and described from its
 * header without loading the weights (`synapse models`). node-llama-cpp is loaded by import()
 * only, so no other command pays for it.
 */
import { open, stat } from "node:fs/promises";
import { errnoCode, messageOf } from "../unknown-values.ts";
import { ProviderError } from "./errors.ts";
import type { LocalModelSettings } from "./llama-cpp-settings.ts";

/** Where a model file was named: the provider, its table and the config file, for messages. */
export type ModelFileSource = Pick<LocalModelSettings, "name" | "table" | "configPath">;

/** What `synapse models` says of a local model, read from its file's header. */
export interface ModelFileInfo {
  /** The file's size in bytes. */
  sizeBytes: number;
  /** `general.architecture`: `gemma3`, `llama`, `qwen3`… */
  architecture: string;
  /** `general.size_label` (`270M`, `8B`); null when the file does not say. */
  parameters: string | null;
  /** Tokens of context the model was trained with (`<arch>.context_length`); null when absent. */
  contextLength: number | null;
  /** The quantization (`general.file_type`): `Q4_K_M`, `F16`…; null when absent. */
  quantization: string | null;
  /** `general.name`; null when absent. */
  name: string | null;
}

const MAGIC = Buffer.from("GGUF", "ascii");

/** The advice every model file message ends with: where the path is set. */
function whereSet(source: ModelFileSource | undefined): string {
  return source === undefined ? "" : ` under ${source.table} in ${source.configPath}`;
}

function fileError(source: ModelFileSource | undefined, message: string, cause?: unknown): ProviderError {
  return new ProviderError("model_file", source?.name ?? "llama.cpp", message, cause === undefined ? {} : { cause });
}

/**
 * Throws a one-line `model_file` error unless `path` is a readable file that starts with the GGUF
 * magic bytes. Checked here, not left to node-llama-cpp: its messages name no setting, and after
 * it failed on a folder (EISDIR), the next model it loaded spun forever (node-llama-cpp 3.21.1).
 */
export async function checkModelFile(path: string, source?: ModelFileSource): Promise<{ sizeBytes: number }> {
  const where = whereSet(source);
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) {
      throw fileError(source, `the model path ${path} is a folder, not a GGUF file; set model_path${where} to the .gguf file itself`);
    }
    if (!info.isFile()) throw fileError(source, `the model path ${path} is not a regular file; set model_path${where} to a .gguf file`);
    size = info.size;
  } catch (error) {
    if (error instanceof ProviderError) throw error;
    throw fileError(source, unreadable(path, error, where), error);
  }
  let head: Uint8Array;
  try {
    const handle = await open(path, "r");
    try {
      const buffer = new Uint8Array(4);
      const { bytesRead } = await handle.read(buffer, 0, 4, 0);
      head = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw fileError(source, unreadable(path, error, where), error);
  }
  if (!Buffer.from(head).equals(MAGIC)) {
    throw fileError(
      source,
      `${path} is not a GGUF model file (it does not start with "GGUF"); set model_path${where} to a .gguf file (convert other formats with llama.cpp's convert_hf_to_gguf.py)`,
    );
  }
  return { sizeBytes: size };
}

function unreadable(path: string, error: unknown, where: string): string {
  const code = errnoCode(error);
  if (code === "ENOENT") return `the model file ${path} does not exist; set model_path${where} to a .gguf file`;
  if (code === "ENOTDIR") return `the model file ${path} does not exist (a part of its path is a file); set model_path${where} to a .gguf file`;
  if (code === "EACCES" || code === "EPERM") return `the model file ${path} cannot be read (permission denied); make it readable, or set model_path${where} to another file`;
  return `the model file ${path} cannot be read (${oneLine(messageOf(error))}); check model_path${where}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/**
 * The model in a GGUF file, from its header alone (about a third of a second; the weights are
 * never read). Throws the same one-line `model_file` errors as loading it would.
 *
 * @example
 * const info = await describeModelFile("/models/gemma-3-270m-q4_k_m.gguf");
 * // { architecture: "gemma3", parameters: "270M", contextLength: 32768, quantization: "Q4_K_M", … }
 */
export async function describeModelFile(path: string, source?: ModelFileSource): Promise<ModelFileInfo> {
  const { sizeBytes } = await checkModelFile(path, source);
  const lib = await importNodeLlamaCpp(source?.name ?? "llama.cpp");
  let file: Awaited<ReturnType<typeof lib.readGgufFileInfo>>;
  try {
    // Never a URL: a model_path is a file on this machine.
    file = await lib.readGgufFileInfo(path, { sourceType: "filesystem", readTensorInfo: false, logWarnings: false });
  } catch (error) {
    throw fileError(
      source,
      `${path} has a GGUF header that cannot be read (${oneLine(messageOf(error))}); the file may be damaged or incomplete: download it again, or set model_path${whereSet(source)} to another file`,
      error,
    );
  }
  const general = file.metadata.general;
  const contextLength = file.architectureMetadata.context_length;
  const fileType = general.file_type;
  return {
    sizeBytes,
    architecture: String(general.architecture),
    parameters: typeof general.size_label === "string" && general.size_label !== "" ? general.size_label : null,
    contextLength: typeof contextLength === "number" ? contextLength : null,
    quantization: fileType === undefined ? null : quantizationName(lib.GgufFileType[fileType]),
    name: typeof general.name === "string" && general.name !== "" ? general.name : null,
  };
}

/** `MOSTLY_Q4_K_M` → `Q4_K_M`, `ALL_F32` → `F32`: the names model files are published under. */
function quantizationName(enumName: string | undefined): string | null {
  if (enumName === undefined) return null;
  return enumName.replace(/^(MOSTLY|ALL)_/, "");
}

/** node-llama-cpp's module, as import() gives it. */
export type NodeLlamaCpp = typeof import("node-llama-cpp");

/**
 * node-llama-cpp, loaded at its first use. A compiled Synapse cannot carry its native files, so
 * there the import fails: local models need Synapse run from a checkout.
 */
export async function importNodeLlamaCpp(provider: string): Promise<NodeLlamaCpp> {
  try {
    return await import("node-llama-cpp");
  } catch (error) {
    throw new ProviderError(
      "model_file",
      provider,
      `local models need Synapse run from a checkout with its dependencies installed (node-llama-cpp could not be loaded: ${oneLine(messageOf(error))}); ` +
        "run bun install in the checkout, then bun run synapse … (or bun src/cli/main.ts …)",
      { cause: error },
    );
  }
}
