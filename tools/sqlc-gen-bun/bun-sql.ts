import type { Driver } from "./driver.ts";
import { emitQuery, nullableType, paramsArgument, returnType, rowFields, type QueryPrinter } from "./emit.ts";
import type { FieldModel, ParamModel, QueryModel, TypedName } from "./model.ts";
import { postgresColumnType, postgresParamType } from "./postgres-types.ts";

/** The types generated modules may import; emitted once per output folder. */
const runtimeModule = `import type { SQL, SQLArrayParameter } from "bun";

/** A JSON value: Bun sends a plain object or array bound to a json or jsonb parameter as JSON. */
export type PgJson = string | number | boolean | null | PgJson[] | { [key: string]: PgJson };

/**
 * A value Bun.sql can bind, for parameters whose type has no TypeScript mapping: json and jsonb,
 * interval, enums, and anything sqlc could not infer. For json and jsonb, pass objects, arrays and
 * strings as they are, but wrap a number, a boolean or a JSON null in \`sql.json()\`: Bun sends a bare
 * number or boolean typed as one, which PostgreSQL refuses for jsonb, and a bare null is SQL NULL.
 */
export type PgValue =
  | string
  | number
  | bigint
  | boolean
  | Date
  | Uint8Array
  | null
  | PgJson[]
  | { [key: string]: PgJson }
  | SQLArrayParameter
  | ReturnType<SQL["json"]>;
`;

const valueType = "PgValue";

function emitModule(models: QueryModel[]): string {
  const usesValue = models.some((m) => m.params.some((p) => p.ts.includes(valueType)));
  // \`SQL\` also types the handle of a transaction (TransactionSQL), a savepoint and a reserved
  // connection, which all extend it: one function serves \`sql\` and \`tx\` inside \`sql.begin()\`.
  const lines: string[] = ['import type { SQL } from "bun";'];
  if (usesValue) lines.push(`import type { ${valueType} } from "./_runtime.ts";`);
  return lines.join("\n") + "\n" + models.map((model) => emitQuery(model, printer)).join("");
}

/** Bun.sql is asynchronous, so every function is async. */
const printer: QueryPrinter = {
  fieldType,
  paramType: fieldType,
  signature: (model) =>
    `export async function ${model.functionName}(sql: SQL${paramsArgument(model)}): Promise<${returnType(model)}> {`,
  body,
};

function fieldType(field: TypedName): string {
  return nullableType(field, [valueType]);
}

function body(model: QueryModel): string[] {
  // sql.unsafe() sends sqlc's text, with its $1..$n placeholders, as one prepared statement
  // (Bun caches it per connection) and binds the values in order; passing [] for a query with no
  // parameters keeps it that: without values, unsafe() would accept several statements.
  const query = (rows: string) => `sql.unsafe<${rows}>(${model.sqlName}, [${model.args.map(bindExpression).join(", ")}])`;
  switch (model.command) {
    case ":one":
      return [
        `const r = (await ${query("unknown[][]")}.values())[0];`,
        "if (r === undefined) return null;",
        "return {",
        ...rowFields(model.columns, cell),
        "};",
      ];
    case ":many":
      return [
        `const rows = await ${query("unknown[][]")}.values();`,
        "return rows.map((r) => ({",
        ...rowFields(model.columns, cell),
        "}));",
      ];
    case ":exec":
      return [`await ${query("unknown[]")};`];
    case ":execrows":
      // PostgreSQL's command tag: the rows the statement inserted, updated or deleted.
      return [`return (await ${query("unknown[]")}).count;`];
    case ":execlastid":
      throw new Error("unreachable: the model refuses :execlastid for PostgreSQL");
  }
}

/**
 * Bun binds a JavaScript array to an array of a built-in type as it is, but cannot tell that a
 * parameter of another type (an enum, jsonb) is an array: sql.array() names the element type.
 */
function bindExpression(param: ParamModel): string {
  const value = `params.${param.name}`;
  if (param.castArrayTo === null) return value;
  const cast = `sql.array(${value}, ${JSON.stringify(param.castArrayTo)})`;
  return param.nullable ? `${value} === null ? null : ${cast}` : cast;
}

/** Bun decodes every mapped type itself (bool, int4, timestamptz, arrays, …): only a cast is left. */
function cell(column: FieldModel, index: number): string {
  const raw = `r[${index}]`;
  return column.ts === "unknown" ? raw : `${raw} as ${fieldType(column)}`;
}

export const bunSql: Driver = {
  name: "bun:sql",
  engine: "postgresql",
  commands: [":one", ":many", ":exec", ":execrows"],
  commandAdvice: {
    ":execlastid": "PostgreSQL reports no last insert id: use :one with RETURNING id",
  },
  columnType: postgresColumnType,
  paramType: postgresParamType,
  runtimeModule,
  emitModule,
};
