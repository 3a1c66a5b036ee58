import { camelCase, isIdentifier, pascalCase } from "./naming.ts";
import { scanPlaceholders } from "./placeholders.ts";
import { PluginError, type Column, type Query } from "./request.ts";
import { sqliteColumnType } from "./sqlite-types.ts";

export const supportedCommands = [":one", ":many", ":exec", ":execrows", ":execlastid"] as const;
export type Command = (typeof supportedCommands)[number];

export interface FieldModel {
  name: string;
  ts: string;
  nullable: boolean;
  isBoolean: boolean;
}

export interface ParamModel extends FieldModel {
  slice: boolean;
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
  /** Bind expressions in placeholder order: `params.id`, or `...params.ids` for a slice. */
  args: string[];
  columns: FieldModel[];
}

export function buildQueryModel(query: Query): QueryModel {
  const where = `${query.filename}: query ${query.name}`;
  const fail = (message: string): never => {
    throw new PluginError(`${where}: ${message}`);
  };
  if (!(supportedCommands as readonly string[]).includes(query.cmd)) {
    fail(`command ${query.cmd} is not supported by sqlc-gen-bun (supported: ${supportedCommands.join(", ")})`);
  }
  const command = query.cmd as Command;
  const pascal = pascalCase(query.name);
  if (!isIdentifier(pascal)) fail(`the name "${query.name}" does not make a TypeScript identifier`);

  const columns = query.columns.map((column, index) => fieldOf(column, `result column ${index + 1}`, fail));
  assertUnique(columns.map((c) => c.name), "result columns", fail);
  if ((command === ":one" || command === ":many") && columns.length === 0) {
    fail(`${command} needs a statement that returns columns (add RETURNING, or use :exec)`);
  }

  const params: ParamModel[] = [];
  const byNumber = new Map<number, ParamModel>();
  const bySlice = new Map<string, ParamModel>();
  for (const param of query.params) {
    const field: ParamModel = { ...fieldOf(param.column, `parameter ${param.number}`, fail), slice: param.column.is_sqlc_slice };
    if (field.ts === "unknown") field.ts = "SqliteValue";
    const existing = params.find((p) => p.name === field.name);
    if (existing) {
      fail(`parameters share the name "${field.name}"; give each its own with sqlc.arg(name)`);
    }
    params.push(field);
    byNumber.set(param.number, field);
    if (field.slice) bySlice.set(param.column.name, field);
  }

  const scanned = scanPlaceholders(query.text);
  const hasSlices = scanned.placeholders.some((p) => p.kind === "slice");
  const args: string[] = [];
  if (hasSlices) {
    // Slices change how many `?` there are, so bind everything by position in textual order.
    for (const placeholder of scanned.placeholders) {
      if (placeholder.kind === "slice") {
        const param = bySlice.get(placeholder.name) ?? fail(`sqlc.slice(${placeholder.name}) has no matching parameter`);
        args.push(`...params.${param.name}`);
      } else {
        const param = byNumber.get(placeholder.number) ?? fail(`placeholder ?${placeholder.number} has no parameter`);
        args.push(`params.${param.name}`);
      }
    }
  } else {
    const highest = Math.max(0, ...scanned.placeholders.map((p) => p.number));
    for (let number = 1; number <= highest; number++) {
      const param = byNumber.get(number) ?? fail(`placeholder ?${number} has no parameter`);
      args.push(`params.${param.name}`);
    }
  }

  return {
    name: query.name,
    functionName: camelCase(pascal),
    sqlName: `${camelCase(pascal)}Sql`,
    paramsType: `${pascal}Params`,
    rowType: `${pascal}Row`,
    command,
    comments: query.comments.map((c) => c.trim()),
    sql: hasSlices ? scanned.positional : query.text,
    hasSlices,
    params,
    args,
    columns,
  };
}

function fieldOf(column: Column, what: string, fail: (message: string) => never): FieldModel {
  if (column.embed_table !== null) fail(`sqlc.embed() is not supported by sqlc-gen-bun; list the columns`);
  if (column.is_array) fail(`${what} is an array, which SQLite does not have`);
  if (column.name === "") fail(`${what} has no name; give the expression an alias (AS name)`);
  const name = camelCase(column.name);
  if (!isIdentifier(name)) fail(`${what} "${column.name}" does not make a TypeScript identifier; alias it`);
  const type = sqliteColumnType(column);
  return { name, ts: type.ts, nullable: !column.not_null, isBoolean: type.isBoolean };
}

function assertUnique(names: string[], what: string, fail: (message: string) => never): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) fail(`two ${what} are both named "${name}"; alias one of them`);
    seen.add(name);
  }
}
