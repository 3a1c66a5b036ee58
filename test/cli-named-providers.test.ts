/**
 * Any model a user has, end to end: `[providers.NAME]` of each wire format, a preset pointed at a
 * local server, aliases and `PROVIDER:MODEL`, a provider that is not running, a bad table, a key
 * variable that is not set; keys and credential headers never in the database or on stderr.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { anthropicReply, Home, newSessionId, openaiReply, serve, sourceRunner, stopServers } from "./_cli.ts";

afterAll(stopServers);

const KEY = "sk-local-SECRET-0123456789";
const HEADER_SECRET = "hdr-SECRET-9876543210";

function bodyOf(server: { requests: { body: unknown }[] }, i: number): { model: string; max_tokens?: number; max_completion_tokens?: number } {
  return server.requests[i]!.body as { model: string; max_tokens?: number; max_completion_tokens?: number };
}

describe("[providers.NAME]", () => {
  test("one of each wire format: -p NAME works as for a built-in, the session stores the name, headers and keys are sent", async () => {
    const openai = serve([openaiReply("From the OpenAI-compatible one.")]);
    const anthropic = serve([anthropicReply("From the Anthropic-compatible one.")]);
    const home = new Home(sourceRunner, { LOCAL_KEY: KEY }).config(
      [
        "[providers.local]",
        'type = "openai"',
        `base_url = "${openai.url}/v1"`,
        'api_key_env = "LOCAL_KEY"',
        'model = "tiny"',
        "max_tokens = 64",
        `headers = { x-team = "synapse", x-api-key = "${HEADER_SECRET}" }`,
        "",
        "[providers.proxy]",
        'type = "anthropic"',
        `base_url = "${anthropic.url}"`,
        `api_key = "${KEY}"`,
        'model = "claude-proxy"',
      ].join("\n"),
    );
    const first = await home.run(["-p", "local", "Hello"]);
    expect(first).toMatchObject({ exitCode: 0, stdout: "From the OpenAI-compatible one.\n" });
    const request = openai.requests[0]!;
    expect(request.path).toBe("/v1/chat/completions");
    expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(request.headers["x-team"]).toBe("synapse");
    expect(request.headers["x-api-key"]).toBe(HEADER_SECRET);
    // Not OpenAI's own API: the limit goes where such servers read it.
    expect(bodyOf(openai, 0)).toMatchObject({ model: "tiny", max_tokens: 64 });
    expect(bodyOf(openai, 0)).not.toHaveProperty("max_completion_tokens");

    const second = await home.run(["-p", "proxy", "Hello"]);
    expect(second).toMatchObject({ exitCode: 0, stdout: "From the Anthropic-compatible one.\n" });
    expect(anthropic.requests[0]!.headers["x-api-key"]).toBe(KEY);
    expect(bodyOf(anthropic, 0).model).toBe("claude-proxy");

    const sessions = await home.list();
    expect(sessions.map((s) => [s.provider, s.model]).sort()).toEqual([
      ["local", "tiny"],
      ["proxy", "claude-proxy"],
    ]);
    // Continued, it goes back to its own provider.
    const again = serve([openaiReply("Again.")]);
    home.config(`[providers.local]\ntype = "openai"\nbase_url = "${again.url}/v1"\napi_key_env = "LOCAL_KEY"\nmodel = "tiny"\n`);
    expect(await home.run(["-s", newSessionId(first.stderr), "And again"])).toMatchObject({ exitCode: 0, stdout: "Again.\n" });
  });

  test("a preset needs only its key; a table of the same name overrides it", async () => {
    const server = serve([openaiReply("Fast.")]);
    const home = new Home(sourceRunner).config(`[providers.groq]\nbase_url = "${server.url}/openai/v1"\n`);
    const missing = await home.run(["-p", "groq", "Hi"]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toStartWith("error: no API key for Groq; set GROQ_API_KEY, or api_key under [providers.groq]");
    const ok = await home.run(["-p", "groq", "Hi"], { env: { GROQ_API_KEY: KEY } });
    expect(ok).toMatchObject({ exitCode: 0, stdout: "Fast.\n" });
    expect(server.requests[0]!.path).toBe("/openai/v1/chat/completions");
    expect(bodyOf(server, 0).model).toBe("llama-3.1-8b-instant");
  });

  test("aliases and PROVIDER:MODEL pick provider and model together; a model with a colon stays a model", async () => {
    const server = serve([openaiReply("One."), openaiReply("Two."), openaiReply("Three.")]);
    const home = new Home(sourceRunner).config(
      `[providers.local]\ntype = "openai"\nbase_url = "${server.url}/v1"\nmodel = "tiny"\n\n[aliases]\nfast = "local:tiny-fast"\n`,
    );
    expect(await home.run(["-m", "fast", "Hi"])).toMatchObject({ exitCode: 0, stdout: "One.\n" });
    expect(await home.run(["-m", "local:other", "Hi"])).toMatchObject({ exitCode: 0, stdout: "Two.\n" });
    expect(await home.run(["-p", "local", "-m", "llama3.2:3b", "Hi"])).toMatchObject({ exitCode: 0, stdout: "Three.\n" });
    expect([0, 1, 2].map((i) => bodyOf(server, i).model)).toEqual(["tiny-fast", "other", "llama3.2:3b"]);
  });

  test("a server that is not running: the usual one line naming its address", async () => {
    const home = new Home(sourceRunner).config('[providers.ollama]\nbase_url = "http://127.0.0.1:9/v1"\n');
    const result = await home.run(["-p", "ollama", "Hi"]);
    expect(result.exitCode).toBe(1);
    // The question is stored (the session line says where); then the one error line.
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines.at(-1)).toBe("error: could not reach Ollama at http://127.0.0.1:9 (ECONNREFUSED); is the server running? start it, or check base_url under [providers.ollama]");
  });

  test("a bad type, a table without base_url, a key variable that is not set, an alias to nowhere: one clear line each", async () => {
    const cases: [string, string][] = [
      ['[providers.x]\ntype = "grpc"\nbase_url = "http://127.0.0.1:9"\n', '"providers.x.type" must be one of "openai" or "anthropic"'],
      ['[providers.x]\ntype = "openai"\n', "[providers.x] in"],
      ['[providers.x]\nbase_url = "http://127.0.0.1:9"\n', 'needs type = "openai" or "anthropic"'],
      ['[aliases]\nfast = "nowhere:model"\n', 'alias "fast"'],
    ];
    for (const [toml, said] of cases) {
      const result = await new Home(sourceRunner).config(toml).run(["-p", "echo", "Hi"]);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(said);
    }
    const unset = await new Home(sourceRunner).config('[providers.x]\ntype = "openai"\nbase_url = "http://127.0.0.1:9/v1"\napi_key_env = "NOT_SET_ANYWHERE"\nmodel = "m"\n').run(["-p", "x", "Hi"]);
    expect(unset.exitCode).toBe(1);
    expect(unset.stderr).toStartWith("error: no API key for x; set NOT_SET_ANYWHERE, or api_key under [providers.x]");
  });

  test("keys and credential headers never reach the database, stderr or synapse models", async () => {
    const echoing = serve([{ kind: "error", status: 401, json: { error: { message: `bad key ${KEY} with header ${HEADER_SECRET}`, type: "auth" } } }, openaiReply("Fine.")]);
    const home = new Home(sourceRunner).config(
      `[providers.local]\ntype = "openai"\nbase_url = "${echoing.url}/v1"\napi_key = "${KEY}"\nmodel = "tiny"\nheaders = { authorization-extra = "${HEADER_SECRET}", x-team = "synapse" }\n`,
    );
    const refused = await home.run(["-p", "local", "Hi"]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).not.toContain(KEY);
    expect(refused.stderr).not.toContain(HEADER_SECRET);
    expect(refused.stderr).toContain("***");
    const ok = await home.run(["-p", "local", "Hi"]);
    expect(ok.exitCode).toBe(0);
    const models = await home.run(["models"]);
    const json = await home.run(["models", "--json"]);
    for (const output of [models.stdout, models.stderr, json.stdout, ok.stderr]) {
      expect(output).not.toContain(KEY);
      expect(output).not.toContain(HEADER_SECRET);
    }
    const local = (JSON.parse(json.stdout).providers as { name: string; key: string; headers: Record<string, string> }[]).find((p) => p.name === "local")!;
    expect(local).toMatchObject({ key: "set", headers: { "authorization-extra": "***", "x-team": "synapse" } });
    const database = readFileSync(home.database);
    expect(database.includes(KEY)).toBe(false);
    expect(database.includes(HEADER_SECRET)).toBe(false);
  });
});

describe("synapse models", () => {
  test("every provider with its wire format, address, model and key state; the aliases", async () => {
    const home = new Home(sourceRunner, { GROQ_API_KEY: KEY }).config('[providers.mine]\ntype = "anthropic"\nbase_url = "http://127.0.0.1:9"\n\n[aliases]\nquick = "groq:llama-3.1-8b-instant"\n');
    const result = await home.run(["models"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^groq\s+openai\s+https:\/\/api\.groq\.com\/openai\/v1\s+llama-3\.1-8b-instant\s+GROQ_API_KEY: set$/m);
    expect(result.stdout).toMatch(/^ollama\s+openai\s+http:\/\/localhost:11434\/v1\s+llama3\.2\s+not needed$/m);
    expect(result.stdout).toMatch(/^mine\s+anthropic\s+http:\/\/127\.0\.0\.1:9\s+\(give -m\)\s+not needed$/m);
    expect(result.stdout).toMatch(/^anthropic\*/m);
    expect(result.stdout).toMatch(/^quick\s+groq:llama-3\.1-8b-instant$/m);
    const json = JSON.parse((await home.run(["models", "--json"])).stdout);
    expect(json.default).toBe("anthropic");
    expect(json.aliases).toEqual({ quick: { provider: "groq", model: "llama-3.1-8b-instant" } });
    expect(json.providers.map((p: { name: string }) => p.name)).toEqual(["anthropic", "openai", "deepseek", "ollama", "lmstudio", "openrouter", "groq", "gemini", "mistral", "mine", "echo"]);
  });
});

describe("an OpenAI-compatible server that streams no usage (llama-cpp-python)", () => {
  test("a reply stopped by `length` names both limits that could have cut it", async () => {
    const chunk = (delta: unknown, finish: string | null) => `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const body = `${chunk({ role: "assistant" }, null)}${chunk({ content: "1, 2, 3" }, null)}${chunk({}, "length")}data: [DONE]\n\n`;
    const server = serve([{ kind: "sse", body }]);
    const home = new Home(sourceRunner).config(`[providers.llama]\ntype = "openai"\nbase_url = "${server.url}/v1"\nmodel = "gemma"\n`);
    const result = await home.run(["-p", "llama", "Count"]);
    expect(result).toMatchObject({ exitCode: 0, stdout: "1, 2, 3\n" });
    expect(result.stderr).toContain("warning: the reply was cut off at a length limit: max_tokens for this provider in the configuration, or the server's own context window");
  });
});
