import type { Identifier } from "./request.ts";

/** How a result column reads in TypeScript, and how a raw cell becomes that type. */
export interface ColumnType {
  /** The TypeScript type, without `| null`. */
  ts: string;
  /** True when the raw cell needs converting (SQLite gives booleans back as 0/1). */
  isBoolean: boolean;
}

/** How a parameter is typed in TypeScript, and how its value is bound. */
export interface ParamType {
  /** The TypeScript type, without `| null`. */
  ts: string;
  /**
   * For an array whose element type has no TypeScript mapping (an enum, jsonb, …), that element
   * type's name: the driver cannot tell such a JavaScript array is an array, so it binds it with
   * an explicit cast. Null otherwise.
   */
  castArrayTo: string | null;
}

/** sqlc's type identifier as one name: `schema.name`, or `name` when it has no schema. */
export function typeName(id: Identifier | null): string {
  if (id === null) return "";
  return id.schema ? `${id.schema}.${id.name}` : id.name;
}

/** `T[]` for each array dimension, with parentheses around a union element type. */
export function arrayOf(element: string, dims: number): string {
  const wrapped = element.includes("|") ? `(${element})` : element;
  return wrapped + "[]".repeat(Math.max(1, dims));
}
