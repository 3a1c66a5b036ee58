import type { FieldModel, ParamModel, QueryModel } from "./model.ts";
import { templateLiteral } from "./naming.ts";

/** The helpers every generated module may import; emitted once per output folder. */
export const runtimeModule = `import type { SQLQueryBindings } from "bun:sqlite";

/** A value SQLite can bind, for parameters whose column type sqlc could not infer. */
export type SqliteValue = SQLQueryBindings;

/**
 * Expands each slice marker sqlc leaves (\`/*SLICE:name*\\/?\`) to one \`?\` per element. An empty list becomes \`()\`,
 * which SQLite accepts: \`x IN ()\` is false and \`x NOT IN ()\` is true, as they should be.
 */
export function expandSlices(sql: string, lengths: Record<string, number>): string {
  return sql.replace(/\\/\\*SLICE:([A-Za-z_][A-Za-z0-9_]*)\\*\\/\\?/g, (_marker, name: string) => {
    const length = lengths[name] ?? 0;
    return length === 0 ? "" : "?" + ",?".repeat(length - 1);
  });
}
`;

export function emitModule(models: QueryModel[]): string {
  const needsRuntime = models.some((m) => m.hasSlices || m.params.some((p) => p.ts === "SqliteValue"));
  const runtimeImports = [
    models.some((m) => m.hasSlices) ? "expandSlices" : "",
    models.some((m) => m.params.some((p) => p.ts === "SqliteValue")) ? "type SqliteValue" : "",
  ].filter((s) => s !== "");
  const lines: string[] = ['import type { Database } from "bun:sqlite";'];
  if (needsRuntime) lines.push(`import { ${runtimeImports.join(", ")} } from "./_runtime.ts";`);
  return lines.join("\n") + "\n" + models.map(emitQuery).join("");
}

function emitQuery(model: QueryModel): string {
  const out: string[] = [""];
  out.push(`export const ${model.sqlName} = ${templateLiteral(model.sql)};`, "");
  if (model.params.length > 0) {
    out.push(`export interface ${model.paramsType} {`);
    for (const param of model.params) out.push(`  ${param.name}: ${paramType(param)};`);
    out.push("}", "");
  }
  if (model.columns.length > 0) {
    out.push(`export interface ${model.rowType} {`);
    for (const column of model.columns) out.push(`  ${column.name}: ${fieldType(column)};`);
    out.push("}", "");
  }
  if (model.comments.length > 0) {
    out.push("/**", ...model.comments.map((c) => ` * ${c.replace(/\*\//g, "*\\/")}`), " */");
  }
  const paramsArg = model.params.length > 0 ? `, params: ${model.paramsType}` : "";
  out.push(`export function ${model.functionName}(db: Database${paramsArg}): ${returnType(model)} {`);
  out.push(...body(model).map((line) => `  ${line}`));
  out.push("}");
  return out.join("\n") + "\n";
}

/** `T | null` for a nullable field, but never `unknown | null`: unknown already holds null. */
function fieldType(field: FieldModel): string {
  return field.nullable && field.ts !== "unknown" && field.ts !== "SqliteValue" ? `${field.ts} | null` : field.ts;
}

function paramType(param: ParamModel): string {
  return param.slice ? `${wrap(param.ts)}[]` : fieldType(param);
}

function wrap(type: string): string {
  return type.includes("|") ? `(${type})` : type;
}

function returnType(model: QueryModel): string {
  switch (model.command) {
    case ":one":
      return `${model.rowType} | null`;
    case ":many":
      return `${model.rowType}[]`;
    case ":exec":
      return "void";
    case ":execrows":
    case ":execlastid":
      return "number";
  }
}

function body(model: QueryModel): string[] {
  const sql = model.hasSlices
    ? `expandSlices(${model.sqlName}, { ${model.params
        .filter((p) => p.slice)
        .map((p) => `${p.name}: params.${p.name}.length`)
        .join(", ")} })`
    : model.sqlName;
  // db.query() compiles a statement once per Database and hands back the cached one after that.
  const statement = `db.query(${sql})`;
  const args = model.args.join(", ");
  switch (model.command) {
    case ":one":
      return [
        `const r = ${statement}.values(${args})[0];`,
        "if (r === undefined) return null;",
        "return {",
        ...rowFields(model.columns),
        "};",
      ];
    case ":many":
      return [`return ${statement}.values(${args}).map((r) => ({`, ...rowFields(model.columns), "}));"];
    case ":exec":
      return [`${statement}.run(${args});`];
    case ":execrows":
      return [`return ${statement}.run(${args}).changes;`];
    case ":execlastid":
      return [`return Number(${statement}.run(${args}).lastInsertRowid);`];
  }
}

/** Rows are read by position, so the case SQLite gives a column name never matters. */
function rowFields(columns: FieldModel[]): string[] {
  return columns.map((column, i) => `  ${column.name}: ${cell(column, i)},`);
}

function cell(column: FieldModel, index: number): string {
  const raw = `r[${index}]`;
  // SQLite has no booleans: 0 and 1 come back, and NULL where sqlc assumed a comparison can't
  // be NULL (`nullable_col > 1`), which reads as false, as it does in a WHERE clause.
  if (column.isBoolean) return column.nullable ? `${raw} === null ? null : Boolean(${raw})` : `Boolean(${raw})`;
  if (column.ts === "unknown") return raw;
  return `${raw} as ${fieldType(column)}`;
}
