import type { Column } from "./request.ts";
import { arrayOf, typeName, type ColumnType, type ParamType } from "./types.ts";

/** What Bun.sql hands back for a type (`row`), and what it binds for it (`param`). */
interface Mapping {
  row: string;
  param: string;
}

const string: Mapping = { row: "string", param: "string" };
const number: Mapping = { row: "number", param: "number" };
const date: Mapping = { row: "Date", param: "Date" };
// Bun.sql returns every int8 as a string (exact where a number would round above 2^53) unless
// the client is made with `bigint: true`; the generated code assumes the default. It binds a
// string, a number or a bigint to an int8 parameter alike.
const int8: Mapping = { row: "string", param: "string | number | bigint" };

/**
 * PostgreSQL types by the name sqlc reports, without a `pg_catalog.` prefix, lower case. sqlc
 * reports a column's type as written in the DDL (`bigserial`, `timestamptz`, `timestamp with time
 * zone`) or as its catalog name (`int4`), so both spellings are listed. The row types are what
 * Bun 1.4 returns in `.values()` (checked against a PostgreSQL 15 server).
 */
const mappings: Record<string, Mapping> = {
  text: string,
  varchar: string,
  "character varying": string,
  char: string,
  character: string,
  bpchar: string,
  name: string,
  citext: string,
  uuid: string,
  int2: number,
  int4: number,
  int: number,
  smallint: number,
  integer: number,
  serial: number,
  serial2: number,
  serial4: number,
  smallserial: number,
  int8: int8,
  bigint: int8,
  bigserial: int8,
  serial8: int8,
  float4: number,
  float8: number,
  real: number,
  float: number,
  "double precision": number,
  // Bun returns numeric as its exact decimal text ("12.50"); a number binds too.
  numeric: { row: "string", param: "string | number" },
  decimal: { row: "string", param: "string | number" },
  bool: { row: "boolean", param: "boolean" },
  boolean: { row: "boolean", param: "boolean" },
  // Bun reads timestamp (no zone) and date as UTC, and binds a Date as its UTC instant.
  timestamptz: date,
  "timestamp with time zone": date,
  timestamp: date,
  "timestamp without time zone": date,
  date,
  // Bun returns bytea as a Buffer; any Uint8Array binds.
  bytea: { row: "Buffer", param: "Uint8Array" },
};

/** The name to look a type up by: `pg_catalog.int4` and `int4` alike. */
function normalise(column: Column): string {
  const name = typeName(column.type).toLowerCase();
  if (name.startsWith("pg_catalog.")) return name.slice("pg_catalog.".length);
  // citext comes from an extension, so it may carry the schema the extension lives in.
  if (name.endsWith(".citext")) return "citext";
  return name;
}

/**
 * A result column. json/jsonb (parsed values), interval and time (text), enums and anything sqlc
 * could not type become `unknown`; so does an array of such elements, since Bun decodes only
 * arrays of built-in types (an enum[] comes back as the text `{a,b}`).
 */
export function postgresColumnType(column: Column): ColumnType {
  const mapping = mappings[normalise(column)];
  if (mapping === undefined) return { ts: "unknown", isBoolean: false };
  return { ts: column.is_array ? arrayOf(mapping.row, column.array_dims) : mapping.row, isBoolean: false };
}

/**
 * A parameter. One whose type has no mapping takes any value Bun can bind (`PgValue`, in the
 * runtime module). A JavaScript array binds to an array of a built-in type as it is; an array of
 * other elements needs `sql.array(values, type)`, which the generated code calls.
 */
export function postgresParamType(column: Column): ParamType {
  const mapping = mappings[normalise(column)];
  const element = mapping?.param ?? "PgValue";
  if (!column.is_array) return { ts: element, castArrayTo: null };
  const name = typeName(column.type);
  const castable = mapping === undefined && name !== "" && name !== "any" && name !== "anyarray";
  return { ts: arrayOf(element, column.array_dims), castArrayTo: castable ? name : null };
}
