/** The parts of a generated module that every driver prints the same way. */
import type { FieldModel, ParamModel, QueryModel, TypedName } from "./model.ts";
import { templateLiteral } from "./naming.ts";

/** What a driver decides when printing one query. */
export interface QueryPrinter {
  fieldType(field: FieldModel): string;
  paramType(param: ParamModel): string;
  /** The function's first line, up to and including `{`. */
  signature(model: QueryModel): string;
  /** The function's statements, unindented. */
  body(model: QueryModel): string[];
}

/** The SQL constant, the Params and Row interfaces, the doc comment and the function. */
export function emitQuery(model: QueryModel, printer: QueryPrinter): string {
  const out: string[] = [""];
  out.push(`export const ${model.sqlName} = ${templateLiteral(model.sql)};`, "");
  if (model.params.length > 0) {
    out.push(`export interface ${model.paramsType} {`);
    for (const param of model.params) out.push(`  ${param.name}: ${printer.paramType(param)};`);
    out.push("}", "");
  }
  if (model.columns.length > 0) {
    out.push(`export interface ${model.rowType} {`);
    for (const column of model.columns) out.push(`  ${column.name}: ${printer.fieldType(column)};`);
    out.push("}", "");
  }
  if (model.comments.length > 0) {
    out.push("/**", ...model.comments.map((c) => ` * ${c.replace(/\*\//g, "*\\/")}`), " */");
  }
  out.push(printer.signature(model));
  out.push(...printer.body(model).map((line) => `  ${line}`));
  out.push("}");
  return out.join("\n") + "\n";
}

/** `, params: XParams` when the query has parameters, else nothing. */
export function paramsArgument(model: QueryModel): string {
  return model.params.length > 0 ? `, params: ${model.paramsType}` : "";
}

/**
 * `T | null` for a nullable field, but never `unknown | null`, nor for the types listed in
 * `holdsNull` (a runtime value type that already includes null).
 */
export function nullableType(field: TypedName, holdsNull: readonly string[]): string {
  return field.nullable && field.ts !== "unknown" && !holdsNull.includes(field.ts) ? `${field.ts} | null` : field.ts;
}

/** The fields of a row object built from the array `r`: rows are read by position, never by name. */
export function rowFields(columns: FieldModel[], cell: (column: FieldModel, index: number) => string): string[] {
  return columns.map((column, i) => `  ${column.name}: ${cell(column, i)},`);
}

/** What a generated function gives back, before any Promise around it. */
export function returnType(model: QueryModel): string {
  switch (model.command) {
    case ":one":
      return `${model.rowType} | null`;
    case ":many":
      return `${model.rowType}[]`;
    case ":exec":
      return "void";
    case ":execrows":
    case ":execlastid":
      // (PostgreSQL has no last id: its model refuses :execlastid before anything is printed.)
      return "number";
  }
}
