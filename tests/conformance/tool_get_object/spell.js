// Tool.get returns an object: fields name, description, category, version, schema and
// an execute method (t:execute{...} in Lua, await t.execute({...}) in JavaScript)
await Tool.register({
  name: "conf-greet",
  description: "Greets someone",
  category: "conf-text",
  version: "1.2.3",
  parameters: {
    type: "object",
    properties: {who: {type: "string", description: "whom to greet"}},
    required: ["who"],
  },
  handler: (params) => {
    if (params.who === "nobody") throw new Error("ToolError: nobody to greet");
    return "hello " + params.who;
  },
});

const t = await Tool.get("conf-greet");
console.log("fields: " + t.name + " | " + t.description + " | " + t.category + " | " + t.version);
console.log("schema: " + t.schema.type + " " + t.schema.required[0] + " "
  + t.schema.properties.who.description);

const r = await t.execute({who: "world"});
console.log("execute: " + r.success + " " + r.result + " / " + r.text
  + " / " + r.metadata.tool);
console.log("again: " + (await t.execute({who: "again"})).text);
console.log("same as Tool.execute: " + String((await Tool.execute("conf-greet", {who: "x"})).text
  === (await t.execute({who: "x"})).text));

const failed = await t.execute({who: "nobody"});
console.log("failing: " + failed.success + " " + failed.error_kind + ": " + failed.error);

try {
  await t.execute({who: 42});
} catch (err) {
  const head = (err.name + ": " + err.message).match(/^\w+Error: tool '[^']+': parameter '[^']+'/)[0];
  console.log("invalid params: false " + head);
}

// the method needs its object (calling it detached is a ValidationError)
const detached = t.execute;
try {
  await detached({who: "world"});
} catch (err) {
  console.log("without the object: false " + err.name);
}

// the object keeps working while the tool stays registered
console.log("exists: " + await Tool.exists(t.name));
console.log("missing is nil: " + String((await Tool.get("conf-nothing")) == null));
