import type { Driver } from "./driver.ts";
import { emitQuery, nullableType, paramsArgument, returnType, rowFields, type QueryPrinter } from "./emit.ts";
import type { FieldModel, ParamModel, QueryModel, TypedName } from "./model.ts";
import { sqliteColumnType, sqliteParamType } from "./sqlite-types.ts";

/** The helpers every generated module may import; emitted once per output folder. */
const runtimeModule = `import type { SQLQueryBindings } from "bun:sqlite";

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

function emitModule(models: QueryModel[]): string {
  const needsRuntime = models.some((m) => m.hasSlices || m.params.some((p) => p.ts === "SqliteValue"));
  const runtimeImports = [
    models.some((m) => m.hasSlices) ? "expandSlices" : "",
    models.some((m) => m.params.some((p) => p.ts === "SqliteValue")) ? "type SqliteValue" : "",
  ].filter((s) => s !== "");
  const lines: string[] = ['import type { Database } from "bun:sqlite";'];
  if (needsRuntime) lines.push(`import { ${runtimeImports.join(", ")} } from "./_runtime.ts";`);
  return lines.join("\n") + "\n" + models.map((model) => emitQuery(model, printer)).join("");
}

/** bun:sqlite runs synchronously, so every function returns its result directly. */
const printer: QueryPrinter = {
  fieldType,
  paramType: (param) => (param.slice ? `${wrap(param.ts)}[]` : fieldType(param)),
  signature: (model) => `export function ${model.functionName}(db: Database${paramsArgument(model)}): ${returnType(model)} {`,
  body,
};

function fieldType(field: TypedName): string {
  return nullableType(field, ["SqliteValue"]);
}

function wrap(type: string): string {
  return type.includes("|") ? `(${type})` : type;
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
  const args = model.args.map(bindExpression).join(", ");
  switch (model.command) {
    case ":one":
      return [
        `const r = ${statement}.values(${args})[0];`,
        "if (r === undefined) return null;",
        "return {",
        ...rowFields(model.columns, cell),
        "};",
      ];
    case ":many":
      return [`return ${statement}.values(${args}).map((r) => ({`, ...rowFields(model.columns, cell), "}));"];
    case ":exec":
      return [`${statement}.run(${args});`];
    case ":execrows":
      return [`return ${statement}.run(${args}).changes;`];
    case ":execlastid":
      return [`return Number(${statement}.run(${args}).lastInsertRowid);`];
  }
}

/** A slice binds one value per element, in place of its expanded `?,?,…`. */
function bindExpression(param: ParamModel): string {
  return param.slice ? `...params.${param.name}` : `params.${param.name}`;
}

function cell(column: FieldModel, index: number): string {
  const raw = `r[${index}]`;
  // SQLite has no booleans: 0 and 1 come back, and NULL where sqlc assumed a comparison can't
  // be NULL (`nullable_col > 1`), which reads as false, as it does in a WHERE clause.
  if (column.isBoolean) return column.nullable ? `${raw} === null ? null : Boolean(${raw})` : `Boolean(${raw})`;
  if (column.ts === "unknown") return raw;
  return `${raw} as ${fieldType(column)}`;
}

export const bunSqlite: Driver = {
  name: "bun:sqlite",
  engine: "sqlite",
  commands: [":one", ":many", ":exec", ":execrows", ":execlastid"],
  commandAdvice: {},
  columnType: sqliteColumnType,
  paramType: sqliteParamType,
  runtimeModule,
  emitModule,
};
