// LocalLLM against a running OpenAI-compatible local server (llm-katan as llama.cpp),
// then an agent on the model it lists.
const status = await LocalLLM.status();
print("llamacpp: running=" + status.llamacpp.running + " models=" + status.llamacpp.models
  + " health=" + status.llamacpp.health);
print("ollama: running=" + status.ollama.running);
for (const model of await LocalLLM.list()) {
  print(model.id + " (" + model.backend + ") size: " + Math.floor(model.size_bytes / 1024 / 1024) + " MB");
}
const info = await LocalLLM.info("echo-model@llamacpp");
print("info: " + info.id + " " + info.backend + " loaded=" + info.loaded);
const agent = await Agent.builder().name("local").model("llamacpp/" + info.id).build();
print("reply: " + (await agent.execute({text: "hi local"})).text.includes("hi local"));
print("key shown: " + JSON.stringify(status).includes("Bearer"));
