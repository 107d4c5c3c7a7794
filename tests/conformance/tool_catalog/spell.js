// Tool.list/get/exists/schema/categories/discover over script-registered tools
// (filtered to this spell's own categories, so built-in tools do not change the output)
const noop = (params) => "ok";
await Tool.register({
  name: "conf-zeta", description: "Last", category: "conf-text",
  tags: ["conf-string"], handler: noop,
});
await Tool.register({
  name: "conf-alpha", description: "First", category: "conf-math",
  tags: ["conf-number", "conf-fast"], handler: noop,
});
await Tool.register({
  name: "conf-mid",
  description: "Middle",
  category: "conf-math",
  version: "2.1.0",
  parameters: {
    type: "object",
    properties: {x: {type: "number", description: "input"}},
    required: ["x"],
  },
  handler: noop,
});

const names = (list) => list.map((t) => t.name).filter((n) => n.startsWith("conf-")).sort().join(",");

console.log("list: " + names(await Tool.list()));
console.log("list by category: " + names(await Tool.list({category: "conf-math"})));
console.log("list of unknown category: " + (await Tool.list({category: "conf-none"})).length);
const mid = (await Tool.list()).find((t) => t.name === "conf-mid");
console.log("entry: " + mid.name + " " + mid.description + " " + mid.category + " " + mid.version);

console.log("exists conf-alpha: " + await Tool.exists("conf-alpha"));
console.log("exists conf-beta: " + await Tool.exists("conf-beta"));
console.log("get missing is nil: " + String((await Tool.get("conf-beta")) == null));

const schema = await Tool.schema("conf-mid");
console.log("schema: " + schema.type + " " + schema.required[0] + " " + schema.properties.x.type
  + " " + schema.properties.x.description);
console.log("get schema: " + (await Tool.get("conf-mid")).schema.properties.x.type);
const fallback = await Tool.schema("conf-zeta");
console.log("default schema: " + fallback.type + " "
  + String(Object.keys(fallback.properties || {}).length === 0));

const cats = (await Tool.categories()).filter((c) => c.startsWith("conf-")).sort();
console.log("categories: " + cats.join(","));

console.log("discover by tag: " + names(await Tool.discover({tag: "conf-number"})));
console.log("discover by category: " + names(await Tool.discover({category: "conf-text"})));
console.log("discover all: " + names(await Tool.discover()));
const found = (await Tool.discover({tag: "conf-fast"}))[0];
console.log("discovered tags: " + [...found.tags].sort().join(","));
