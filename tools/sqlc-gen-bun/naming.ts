/** `session_id` → `sessionId`, `GetSession` → `getSession`. */
export function camelCase(name: string): string {
  const parts = name.split(/_+/).filter((p) => p !== "");
  return parts
    .map((part, i) => (i === 0 ? part.charAt(0).toLowerCase() + part.slice(1) : part.charAt(0).toUpperCase() + part.slice(1)))
    .join("");
}

/** `get_session` or `getSession` → `GetSession`. */
export function pascalCase(name: string): string {
  const camel = camelCase(name);
  return camel.charAt(0).toUpperCase() + camel.slice(1);
}

export function isIdentifier(name: string): boolean {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name);
}

/** A JavaScript template literal holding `text` exactly. */
export function templateLiteral(text: string): string {
  return "`" + text.replace(/\\/g, "\\\\").replace(/`/g, "\\`").replace(/\$\{/g, "\\${") + "`";
}
