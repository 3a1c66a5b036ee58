/**
 * A local model (issue 20), in-process, with the test model (Gemma 3 270M Q4_K_M, 253 MB; see
 * scripts/fetch-test-model.sh): how long loading it takes, and how fast it writes (tokens per
 * second from the model's own count, CPU only, 2 threads). Also what a command that uses no local
 * model pays for the provider being there: importing the provider module (it must not load
 * node-llama-cpp). Without the model file, only that last figure is printed.
 */
import { statSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { median, report } from "./_report.ts";

const model = process.env.SYNAPSE_TEST_GGUF ?? join(userInfo().homedir, ".cache/synapse-test/gemma-3-270m-q4_k_m.gguf");

export default async function localModelBench(): Promise<void> {
  // In a child process each time: a module is imported once per process.
  const imports: number[] = [];
  for (let i = 0; i < 10; i++) {
    const child = Bun.spawnSync([process.execPath, "-e", `const t = performance.now(); await import(${JSON.stringify(join(import.meta.dir, "../src/providers/llama-cpp.ts"))}); const loaded = Object.keys(require.cache).some((k) => k.includes("node-llama-cpp")); console.log(JSON.stringify({ ms: performance.now() - t, loaded }));`], { stdout: "pipe" });
    const { ms, loaded } = JSON.parse(child.stdout.toString()) as { ms: number; loaded: boolean };
    if (loaded) throw new Error("importing the llama.cpp provider loaded node-llama-cpp");
    imports.push(ms);
  }
  report({ name: "import_llama_cpp_provider_module", median_ms: median(imports), runs: imports.length, loads_node_llama_cpp: false });

  try {
    statSync(model);
  } catch {
    process.stderr.write(`bench local-model: no model at ${model} (bash scripts/fetch-test-model.sh): load and speed not measured\n`);
    return;
  }
  const { createLlamaCppProvider } = await import("../src/providers/llama-cpp.ts");
  const settings = { name: "gemma", table: "[providers.gemma]", configPath: "bench", modelPath: model, contextSize: 2048, maxTokens: 64, threads: 2, gpu: false as const };
  const loads: number[] = [];
  for (let i = 0; i < 3; i++) {
    const provider = createLlamaCppProvider(settings);
    const start = performance.now();
    await provider.prepare!(new AbortController().signal);
    loads.push(performance.now() - start);
    await provider.close?.();
  }
  report({ name: "local_model_load_270m", median_ms: median(loads), runs: loads.length, file_bytes: statSync(model).size });

  const provider = createLlamaCppProvider(settings);
  await provider.prepare!(new AbortController().signal);
  const replies: number[] = [];
  const rates: number[] = [];
  let tokens = 0;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    let first = 0;
    let output = 0;
    for await (const event of provider.stream({ messages: [{ role: "user", content: `Tell me a long story about the sea, part ${i + 1}.` }], model: provider.defaultModel, signal: new AbortController().signal, maxTokens: 64 })) {
      if (event.type === "text" && first === 0) first = performance.now();
      if (event.type === "done") output = event.usage?.outputTokens ?? 0;
    }
    const end = performance.now();
    replies.push(end - start);
    // Writing speed: tokens after the first over the time after it (the prompt's reading excluded).
    if (output > 1 && first > 0) rates.push((output - 1) / ((end - first) / 1000));
    tokens = output;
  }
  await provider.close?.();
  report({ name: "local_model_reply_64_tokens_270m", median_ms: median(replies), runs: replies.length, output_tokens: tokens, tokens_per_second: Math.round(median(rates) * 10) / 10, threads: 2 });
}
