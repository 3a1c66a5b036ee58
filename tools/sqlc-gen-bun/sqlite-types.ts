import type { Column } from "./request.ts";
import { typeName, type ColumnType, type ParamType } from "./types.ts";

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

/** A parameter takes what its column holds; one sqlc could not type takes any value SQLite binds. */
export function sqliteParamType(column: Column): ParamType {
  const { ts } = sqliteColumnType(column);
  return { ts: ts === "unknown" ? "SqliteValue" : ts, castArrayTo: null };
}
