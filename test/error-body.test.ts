/** What a server said about a failure, whatever the shape of its body. */
import { describe, expect, test } from "bun:test";
import { parseErrorBody } from "../src/providers/error-body.ts";

describe("parseErrorBody", () => {
  test("OpenAI's and Anthropic's {error: {type, code, message}}", () => {
    expect(parseErrorBody('{"error":{"message":"bad model","type":"invalid_request_error","code":"model_not_found"}}')).toEqual({
      type: "invalid_request_error",
      code: "model_not_found",
      message: "bad model",
    });
  });

  test('a plain {"error": "…"} (Ollama, LM Studio)', () => {
    expect(parseErrorBody('{"error":"model \\"llama9\\" not found, try pulling it first"}').message).toBe('model "llama9" not found, try pulling it first');
  });

  test('FastAPI\'s {"detail": "…"} and its validation list (llama-cpp-python, vLLM)', () => {
    expect(parseErrorBody('{"detail":"Not Found"}').message).toBe("Not Found");
    const validation = '{"detail":[{"type":"list_type","loc":["body","messages"],"msg":"Input should be a valid list","input":"hi"}]}';
    expect(parseErrorBody(validation).message).toBe("messages: Input should be a valid list");
  });

  test('{"message": "…"}, HTML pages and plain text', () => {
    expect(parseErrorBody('{"message":"rate limited"}').message).toBe("rate limited");
    expect(parseErrorBody("<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>", "text/html").message).toBe("502 Bad Gateway");
    expect(parseErrorBody("upstream connect error").message).toBe("upstream connect error");
  });
});
