// Agents without a network call: builders, errors that name the fix, providers, asTool.
async function attempt(label, f) {
  try { await f(); print(label + ": ok"); }
  catch (e) { print(label + ": " + `${e.name}: ${e.message}`.match(/^(\w+Error: [^(]*)/)[1]); }
}
await attempt("no model", () => Agent.builder().name("x").build());
await attempt("unknown provider", () => Agent.create({model: "nowhere/m"}));
await attempt("missing key", () => Agent.create({model: "local_test/m"}));
await attempt("unknown field", () => Agent.create({model: "ollama/llama3", sytem_prompt: "x"}));
await attempt("unknown tool", () => Agent.create({model: "ollama/llama3", tools: ["no-such-tool"]}));
const a = await Agent.builder().name("helper").model("ollama/llama3.2").description("answers").build();
print(a.name, a.model);
print((await Agent.get("helper")).name, (await Agent.list()).length, (await Agent.get("missing")) === null);
print(await Provider.isAvailable("ollama"), await Provider.isAvailable("local_test"), await Provider.isAvailable("nowhere"));
const names = {};
for (const p of await Provider.list({all: true})) names[p.name] = p.available;
print(names.openai !== undefined, names.anthropic !== undefined, names.groq !== undefined, names.local_test);
print(await a.asTool("ask-helper"), await Tool.exists("ask-helper"));
