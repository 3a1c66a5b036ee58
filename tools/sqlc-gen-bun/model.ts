/**
 * The query model: one query, checked and named, as every driver prints it. It holds no logic:
 * driver.ts names these types, and build-model.ts, which fills them in, takes a driver, so
 * keeping them apart from the building keeps the two from importing each other.
 */

/** Every command some driver generates; each driver lists the ones it supports. */
export const allCommands = [":one", ":many", ":exec", ":execrows", ":execlastid"] as const;
export type Command = (typeof allCommands)[number];

/** A name and a TypeScript type, for a row field or a parameter. */
export interface TypedName {
  name: string;
  /** Without `| null`. */
  ts: string;
  nullable: boolean;
}

export interface FieldModel extends TypedName {
  isBoolean: boolean;
}

export interface ParamModel extends TypedName {
  slice: boolean;
  /** Set for an array whose element type the driver must be told by name (see ParamType). */
  castArrayTo: string | null;
}

/** One query, checked and named, ready for a driver to print. */
export interface QueryModel {
  name: string;
  functionName: string;
  sqlName: string;
  paramsType: string;
  rowType: string;
  command: Command;
  comments: string[];
  /** The SQL as sqlc gave it; for queries with slices, the positional form with slice markers. */
  sql: string;
  hasSlices: boolean;
  params: ParamModel[];
  /** The parameter bound to each placeholder, in placeholder order (a slice binds its elements). */
  args: ParamModel[];
  columns: FieldModel[];
}
