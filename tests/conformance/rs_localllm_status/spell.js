// rs-llmspell's local-llm-status example, with no local server running: nothing raises.
const status = await LocalLLM.status();
print("Ollama Backend:");
print("  Running: " + status.ollama.running);
print("  Models: " + status.ollama.models);
print("  Has error: " + (status.ollama.error !== undefined));
print("Candle Backend:");
print("  Ready: " + status.candle.ready);
print("  Models: " + status.candle.models);
print("llamacpp running: " + status.llamacpp.running);
const models = await LocalLLM.list();
if (models.length === 0) print("No models found.");
print("ollama models: " + (await LocalLLM.list("ollama")).length);
async function attempt(label, f) {
  try { await f(); print(label + ": ok"); }
  catch (e) { print(label + ": " + `${e.name}: ${e.message}`.match(/^(\w+Error: [^(]*)/)[1]); }
}
await attempt("info", () => LocalLLM.info("llama3.1:8b@ollama"));
await attempt("spell URL", () => LocalLLM.list("http://169.254.169.254"));
await attempt("pull", () => LocalLLM.pull("llama3.1:8b@ollama"));
