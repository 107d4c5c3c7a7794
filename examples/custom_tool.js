// custom_tool.js: a spell defines a tool and calls it. Run it with: llmspell run examples/custom_tool.js -- to be or not to be
const text = ARGS.positional.length > 0 ? ARGS.positional.join(" ") : "the quick brown fox";

await Tool.register({
  name: "word-stats",
  description: "Counts the words of a text and finds the longest",
  category: "text",
  parameters: {
    type: "object",
    properties: { text: { type: "string" } },
    required: ["text"],
  },
  // a handler may be async and await host calls: here it counts how often the tool ran
  handler: async (params) => {
    const words = params.text.split(/\s+/).filter((w) => w !== "");
    if (words.length === 0) throw new Error("ToolError: the text has no words");
    let longest = "";
    for (const word of words) if (word.length > longest.length) longest = word;
    const calls = (await State.toolGet("word-stats", "calls")) ?? 0;
    await State.toolSet("word-stats", "calls", calls + 1);
    return { words: words.length, longest };
  },
});

const r = await Tool.execute("word-stats", { text });
print("success: " + r.success);
print("words: " + r.result.words + ", longest: " + r.result.longest);
print("ran as: " + r.metadata.tool);

// a tool that fails doing its job returns success = false; it does not throw
// (result keys keep their snake_case spelling: error_kind)
const empty = await Tool.execute("word-stats", { text: "   " });
print("empty text: success=" + empty.success + ", " + empty.error_kind + ": " + empty.error);

// params that break the schema throw a ValidationError (the handler does not run)
try {
  await Tool.execute("word-stats", { text: 42 });
} catch (e) {
  print("bad params: " + e.name);
}

// the catalog, and the tool as an object (methods with '.')
for (const t of await Tool.list({ category: "text" })) {
  print("tool: " + t.name + " (" + t.category + ", " + t.version + ")");
}
const tool = await Tool.get("word-stats");
print("via the tool object: " + (await tool.execute({ text: "a bb ccc" })).result.longest);
print("handler ran " + (await State.toolGet("word-stats", "calls")) + " times");
