/**
 * The import graph keeps the shape ARCHITECTURE.md describes: no file reaches back into one that
 * imports it (no cycle), and no arrow goes from a lower layer up to a higher one. Every import
 * counts, type-only and lazy `import()` ones too: each is a dependency someone reading the code
 * has to follow.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(import.meta.dir, "..");

/** Every `.ts` file under `dir`, relative to the repository. */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith(".ts")) out.push(path);
  }
  return out.sort();
}

const specifiers = /(?:^|\s|;)(?:import|export)\s[^;]*?\sfrom\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|^import\s+["']([^"']+)["']/gm;

/** The files under the repository that `file` imports (packages and built-ins left out). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  const out = new Set<string>();
  for (const match of text.matchAll(specifiers)) {
    const spec = match[1] ?? match[2] ?? match[3]!;
    if (!spec.startsWith(".")) continue;
    out.add(relative(root, resolve(root, dirname(file), spec)));
  }
  return [...out];
}

function graphOf(dirs: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const dir of dirs) for (const file of sourceFiles(dir)) graph.set(file, importsOf(file));
  return graph;
}

/** Each cycle once, as the files along it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === "open") found.push([...path.slice(path.indexOf(next)), next]);
      else if (state.get(next) === undefined) visit(next);
    }
    path.pop();
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (state.get(file) === undefined) visit(file);
  return found;
}

/**
 * The layers of src/, lowest first. A file may import its own folder and any lower layer; the
 * four adapters' folders (config, providers, storage, tools) sit side by side and never import one
 * another. The public API (index.ts) is imported by nothing in src/.
 */
function layerOf(file: string): { rank: number; folder: string } {
  const parts = relative("src", file).split("/");
  if (parts.length === 1) return parts[0] === "index.ts" ? { rank: 5, folder: "index" } : { rank: 0, folder: "root" };
  const folder = parts[0]!;
  const rank = { types: 0, config: 1, providers: 1, storage: 1, tools: 1, sessions: 2, chat: 3, cli: 4 }[folder];
  if (rank === undefined) throw new Error(`${file} is in a folder this test does not place: add it to a layer`);
  return { rank, folder };
}

describe("the import graph", () => {
  const src = graphOf(["src"]);

  test("src/ has no import cycle", () => {
    expect(cycles(src).map((c) => c.join(" → "))).toEqual([]);
  });

  test("tools/ and scripts/ have no import cycle", () => {
    expect(cycles(graphOf(["tools", "scripts"])).map((c) => c.join(" → "))).toEqual([]);
  });

  test("no arrow goes up a layer or across the adapters", () => {
    const wrong: string[] = [];
    for (const [file, imports] of src) {
      const from = layerOf(file);
      for (const target of imports) {
        if (!target.startsWith("src/")) continue;
        const to = layerOf(target);
        if (to.folder === from.folder) continue;
        if (to.rank > from.rank || (to.rank === from.rank && from.rank === 1)) wrong.push(`${file} → ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test("every import names a file that exists", () => {
    const missing = [...src].flatMap(([file, imports]) => imports.filter((t) => !src.has(t) && !/\.(json|sql|bash|zsh|fish)$/.test(t)).map((t) => `${file} → ${t}`));
    expect(missing).toEqual([]);
  });
});
