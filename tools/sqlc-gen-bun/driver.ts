import type { Command, QueryModel } from "./model.ts";
import type { Column, DriverName } from "./request.ts";
import type { ColumnType, ParamType } from "./types.ts";

/** Everything that differs between drivers: the engine, its types, and the code to print. */
export interface Driver {
  name: DriverName;
  engine: "sqlite" | "postgresql";
  /** The query commands this driver generates. */
  commands: readonly Command[];
  /** For a command sqlc accepts but this engine cannot do, what to write instead. */
  commandAdvice: Partial<Record<string, string>>;
  columnType(column: Column): ColumnType;
  paramType(column: Column): ParamType;
  /** `_runtime.ts`: the helpers and types generated modules import. */
  runtimeModule: string;
  /** One module for the queries of one query file. */
  emitModule(models: QueryModel[]): string;
}
