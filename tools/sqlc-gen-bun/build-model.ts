import type { Driver } from "./driver.ts";
import type { Command, FieldModel, ParamModel, QueryModel } from "./model.ts";
import { camelCase, isIdentifier, pascalCase } from "./naming.ts";
import { scanPlaceholders } from "./placeholders.ts";
import { PluginError, type Column, type Query } from "./request.ts";

/** Checks `query` against what `driver` generates, and names what it prints; a PluginError names the query. */
export function buildQueryModel(query: Query, driver: Driver): QueryModel {
  const where = `${query.filename}: query ${query.name}`;
  const fail = (message: string): never => {
    throw new PluginError(`${where}: ${message}`);
  };
  const advice = driver.commandAdvice[query.cmd];
  if (advice !== undefined) fail(`command ${query.cmd} is not available with driver ${driver.name}; ${advice}`);
  if (!(driver.commands as readonly string[]).includes(query.cmd)) {
    fail(`command ${query.cmd} is not supported by sqlc-gen-bun (supported: ${driver.commands.join(", ")})`);
  }
  const command = query.cmd as Command;
  const pascal = pascalCase(query.name);
  if (!isIdentifier(pascal)) fail(`the name "${query.name}" does not make a TypeScript identifier`);

  const columns = query.columns.map((column, index): FieldModel => {
    const type = driver.columnType(checkColumn(column, `result column ${index + 1}`, driver, fail));
    return { name: camelCase(column.name), ts: type.ts, nullable: !column.not_null, isBoolean: type.isBoolean };
  });
  assertUnique(columns.map((c) => c.name), "result columns", fail);
  if ((command === ":one" || command === ":many") && columns.length === 0) {
    fail(`${command} needs a statement that returns columns (add RETURNING, or use :exec)`);
  }

  const params: ParamModel[] = [];
  const byNumber = new Map<number, ParamModel>();
  const bySlice = new Map<string, ParamModel>();
  for (const param of query.params) {
    const column = checkColumn(param.column, `parameter ${param.number}`, driver, fail);
    if (column.is_sqlc_slice && driver.engine === "postgresql") {
      fail(`sqlc.slice(${column.name}) is not supported on PostgreSQL; bind an array instead: = ANY(@${column.name}::type[])`);
    }
    const type = driver.paramType(column);
    const field: ParamModel = {
      name: camelCase(column.name),
      ts: type.ts,
      nullable: !column.not_null,
      slice: column.is_sqlc_slice,
      castArrayTo: type.castArrayTo,
    };
    const existing = params.find((p) => p.name === field.name);
    if (existing) {
      fail(`parameters share the name "${field.name}"; give each its own with sqlc.arg(name)`);
    }
    params.push(field);
    byNumber.set(param.number, field);
    if (field.slice) bySlice.set(param.column.name, field);
  }

  const binding =
    driver.engine === "sqlite" ? bindSqlite(query.text, byNumber, bySlice, fail) : bindNumbered(query.text, byNumber, fail);

  return {
    name: query.name,
    functionName: camelCase(pascal),
    sqlName: `${camelCase(pascal)}Sql`,
    paramsType: `${pascal}Params`,
    rowType: `${pascal}Row`,
    command,
    comments: query.comments.map((c) => c.trim()),
    sql: binding.sql,
    hasSlices: binding.hasSlices,
    params,
    args: binding.args,
    columns,
  };
}

interface Binding {
  sql: string;
  hasSlices: boolean;
  args: ParamModel[];
}

/** SQLite: `?NNN`, bare `?` and slice markers, read from the text (see placeholders.ts). */
function bindSqlite(
  text: string,
  byNumber: Map<number, ParamModel>,
  bySlice: Map<string, ParamModel>,
  fail: (message: string) => never,
): Binding {
  const scanned = scanPlaceholders(text);
  if (!scanned.placeholders.some((p) => p.kind === "slice")) {
    const highest = Math.max(0, ...scanned.placeholders.map((p) => p.number));
    return { sql: text, hasSlices: false, args: numberedArgs(highest, "?", byNumber, fail) };
  }
  // Slices change how many `?` there are, so bind everything by position in textual order.
  const args = scanned.placeholders.map((placeholder) => {
    if (placeholder.kind === "slice") {
      return bySlice.get(placeholder.name) ?? fail(`sqlc.slice(${placeholder.name}) has no matching parameter`);
    }
    return byNumber.get(placeholder.number) ?? fail(`placeholder ?${placeholder.number} has no parameter`);
  });
  return { sql: scanned.positional, hasSlices: true, args };
}

/**
 * PostgreSQL: sqlc writes every parameter as `$n` and numbers them itself, so its numbers are
 * the positions of the bind values (reading `$n` from the text would need PostgreSQL's lexer:
 * dollar quoting, `E''` strings).
 */
function bindNumbered(text: string, byNumber: Map<number, ParamModel>, fail: (message: string) => never): Binding {
  return { sql: text, hasSlices: false, args: numberedArgs(Math.max(0, ...byNumber.keys()), "$", byNumber, fail) };
}

function numberedArgs(
  highest: number,
  sigil: string,
  byNumber: Map<number, ParamModel>,
  fail: (message: string) => never,
): ParamModel[] {
  const args: ParamModel[] = [];
  for (let number = 1; number <= highest; number++) {
    args.push(byNumber.get(number) ?? fail(`placeholder ${sigil}${number} has no parameter`));
  }
  return args;
}

/** Fails on what no driver can name or type; returns the column for chaining. */
function checkColumn(column: Column, what: string, driver: Driver, fail: (message: string) => never): Column {
  if (column.embed_table !== null) fail(`sqlc.embed() is not supported by sqlc-gen-bun; list the columns`);
  if (column.is_array && driver.engine === "sqlite") fail(`${what} is an array, which SQLite does not have`);
  if (column.name === "") fail(`${what} has no name; give the expression an alias (AS name)`);
  if (!isIdentifier(camelCase(column.name))) fail(`${what} "${column.name}" does not make a TypeScript identifier; alias it`);
  return column;
}

function assertUnique(names: string[], what: string, fail: (message: string) => never): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) fail(`two ${what} are both named "${name}"; alias one of them`);
    seen.add(name);
  }
}
