// rs-llmspell's tool names from before its kebab-case rename still work (a note on
// stderr the first time each is used)
let r = await Tool.execute("text_manipulator", {input: "hello", operation: "uppercase"});
console.log("text_manipulator: " + r.text);
r = await Tool.execute("text_manipulator", {input: "again", operation: "uppercase"});
console.log("text_manipulator again: " + r.text);
r = await Tool.execute("file_operations", {operation: "write", path: "notes.txt", input: "kept"});
console.log("file_operations: " + r.success + " " + (await Tool.execute("file-operations", {operation: "read", path: "notes.txt"})).text);
r = await Tool.execute("template_engine", {input: "Hi {{name}}", context: {name: "Ada"}});
console.log("template_engine: " + r.result.rendered);
r = await Tool.execute("date_time_handler", {operation: "parse", input: "2024-02-29T12:00:00Z"});
console.log("date_time_handler: " + r.result.components.year);
r = await Tool.execute("data_validation", {input: {email: "a@b.c"}, rules: [{type: "required", field: "email"}]});
console.log("data_validation: " + r.result.valid);
r = await Tool.execute("hash_calculator", {operation: "hash", algorithm: "md5", input: "x"});
console.log("hash_calculator: " + r.result.hash);
console.log("exists environment_reader: " + await Tool.exists("environment_reader"));
console.log("get http_request: " + (await Tool.get("http_request")).name);
console.log("get web_search: " + (await Tool.get("web_search")).name);
console.log("get process_executor: " + (await Tool.get("process_executor")).name);
console.log("exists no_such_tool: " + await Tool.exists("no_such_tool"));
try {
  await Tool.execute("no_such_tool", {});
} catch (e) {
  console.log("unknown: false " + e.name + ": " + e.message.match(/unknown tool '[^']+'/)[0]);
}
const wf = await Workflow.builder().name("conf-old-names").sequential()
  .addStep({name: "up", type: "tool", tool: "text_manipulator", input: {input: "step", operation: "uppercase"}})
  .build();
console.log("workflow step: " + (await wf.execute()).outputs.up.text);
