/**
 * The parts of sqlc's `GenerateRequest` (JSON plugin format, proto snake_case keys) that this
 * plugin reads. sqlc sends every field, unset ones as "", 0, false, [] or null.
 */

export interface Identifier {
  catalog: string;
  schema: string;
  name: string;
}

export interface Column {
  name: string;
  not_null: boolean;
  is_array: boolean;
  /** Dimensions of a PostgreSQL array (`int[][]` → 2); 0 when not an array. */
  array_dims: number;
  is_named_param: boolean;
  is_func_call: boolean;
  table: Identifier | null;
  type: Identifier | null;
  is_sqlc_slice: boolean;
  embed_table: Identifier | null;
  original_name: string;
}

export interface Parameter {
  number: number;
  column: Column;
}

export interface Query {
  text: string;
  name: string;
  cmd: string;
  columns: Column[];
  params: Parameter[];
  comments: string[];
  filename: string;
}

export interface GenerateRequest {
  settings: { engine: string; codegen: { out: string; plugin: string } };
  queries: Query[];
  sqlc_version: string;
  /** base64 of the JSON `options` of this codegen entry ("" when there are none). */
  plugin_options: string;
}

export interface GeneratedFile {
  name: string;
  contents: string;
}

/** An error the user fixes in sqlc.yaml or in a query file; main prints its message alone. */
export class PluginError extends Error {
  override name = "PluginError";
}

export type DriverName = "bun:sqlite" | "bun:sql";

export interface PluginOptions {
  driver: DriverName;
}

/** Each driver and the one sqlc engine whose SQL it runs. */
const knownDrivers: Record<DriverName, string> = {
  "bun:sqlite": "sqlite",
  // PostgreSQL through Bun's built-in SQL client (Bun.sql).
  "bun:sql": "postgresql",
};

export function decodeOptions(request: GenerateRequest): PluginOptions {
  const raw = request.plugin_options ? Buffer.from(request.plugin_options, "base64").toString("utf8") : "";
  const parsed: unknown = raw ? JSON.parse(raw) : {};
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new PluginError("sqlc-gen-bun: options must be a mapping, e.g. `options: { driver: bun:sqlite }`");
  }
  const options = parsed as Record<string, unknown>;
  for (const key of Object.keys(options)) {
    if (key !== "driver") throw new PluginError(`sqlc-gen-bun: unknown option "${key}" (known: driver)`);
  }
  const driver = options.driver;
  if (typeof driver !== "string" || driver === "") {
    throw new PluginError(`sqlc-gen-bun: options.driver is required (supported: ${Object.keys(knownDrivers).join(", ")})`);
  }
  const engine = Object.hasOwn(knownDrivers, driver) ? knownDrivers[driver as DriverName] : undefined;
  if (engine === undefined) {
    throw new PluginError(
      `sqlc-gen-bun: driver "${driver}" is not supported (supported: ${Object.keys(knownDrivers).join(", ")})`,
    );
  }
  if (engine !== request.settings.engine) {
    throw new PluginError(
      `sqlc-gen-bun: driver "${driver}" needs engine "${engine}", but this sql block uses "${request.settings.engine}"`,
    );
  }
  return { driver: driver as DriverName };
}
