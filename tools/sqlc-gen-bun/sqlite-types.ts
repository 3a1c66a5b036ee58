import type { Column, Identifier } from "./request.ts";

/** How a SQLite column type reads in TypeScript, and how a raw cell becomes that type. */
export interface ColumnType {
  /** The TypeScript type, without `| null`. */
  ts: string;
  /** True when the raw cell needs converting (booleans come back as 0/1). */
  isBoolean: boolean;
}

export function typeName(id: Identifier | null): string {
  if (id === null) return "";
  return id.schema ? `${id.schema}.${id.name}` : id.name;
}

/**
 * SQLite keeps the declared type text verbatim (sqlc passes it on as written, often upper case),
 * so map it by SQLite's own affinity rules (https://sqlite.org/datatype3.html §3.1) rather than
 * by exact names. sqlc reports `bool` for comparisons and EXISTS, `any` when it cannot tell.
 */
export function sqliteColumnType(column: Column): ColumnType {
  const name = typeName(column.type).toLowerCase();
  if (name === "bool" || name === "boolean") return { ts: "boolean", isBoolean: true };
  if (name === "" || name === "any") return { ts: "unknown", isBoolean: false };
  if (name.includes("int")) return { ts: "number", isBoolean: false };
  if (name.includes("char") || name.includes("clob") || name.includes("text")) return { ts: "string", isBoolean: false };
  if (name.includes("blob")) return { ts: "Uint8Array", isBoolean: false };
  if (name.includes("real") || name.includes("floa") || name.includes("doub")) return { ts: "number", isBoolean: false };
  if (name === "numeric" || name.startsWith("decimal")) return { ts: "number", isBoolean: false };
  // Dates have NUMERIC affinity, but every value we store in them is RFC 3339 text.
  if (name === "date" || name === "datetime" || name === "timestamp" || name === "time") return { ts: "string", isBoolean: false };
  return { ts: "unknown", isBoolean: false };
}
