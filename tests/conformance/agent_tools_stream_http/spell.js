// llm-katan's echo model asks for the first offered tool with {input: "test_input"}.
await Tool.register({name: "shout", description: "upper-cases input",
  parameters: {type: "object", properties: {input: {type: "string"}}},
  handler: (p) => p.input.toUpperCase()});
const a = await Agent.create({name: "caller", model: "katan/echo-model", tools: ["shout"], maxToolCalls: 1});
const r = await a.execute("please shout");
print(r.tool_calls.length, r.tool_calls[0].name, r.tool_calls[0].result.result);

const helper = await Agent.create({name: "helper", model: "katan/echo-model", description: "echoes"});
const boss = await Agent.create({name: "boss", model: "katan/echo-model", tools: [await helper.asTool()], maxToolCalls: 1});
const b = await boss.execute("delegate");
print(b.tool_calls[0].name, b.tool_calls[0].result.success, b.tool_calls[0].result.result.includes("[echo]"));

const chunks = [];
const s = await (await Agent.create({model: "katan/echo-model"})).stream("stream this", (chunk) => { chunks.push(chunk.text); });
print(chunks.length > 1, chunks.join("") === s.text);
const parts = [];
const it = await (await Agent.create({model: "katan/echo-model"})).stream("iterate");
for await (const chunk of it) parts.push(chunk.text);
print(parts.length > 1, parts.join("") === (await it.result()).text);

const items = [];
for (let i = 1; i <= 3; i++) items.push({agent: await Agent.create({model: "katan/echo-model"}), input: "q" + i});
const results = await Agent.executeAll(items);
results.forEach((res, i) => print(i + 1, res.text.includes("User: q" + (i + 1))));
