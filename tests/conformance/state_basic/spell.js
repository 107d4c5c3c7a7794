// State.save/load/delete/listKeys by (scope, key), and the global shorthands set/get
await State.save("notes", "b", {title: "second", tags: ["x", "y"], n: 2});
await State.save("notes", "a", "first");
await State.save("notes", "c", 3);
await State.save("other", "a", true);

const b = await State.load("notes", "b");
console.log("loaded: " + b.title + " " + b.tags[1] + " " + b.n);
console.log("string: " + await State.load("notes", "a"));
console.log("number: " + await State.load("notes", "c"));
console.log("boolean: " + await State.load("other", "a"));
console.log("missing is nil: " + String((await State.load("notes", "zzz")) == null));
console.log("keys: " + (await State.listKeys("notes")).join(","));
console.log("empty scope keys: " + (await State.listKeys("nothing-here")).length);

console.log("delete existing: " + await State.delete("notes", "a"));
console.log("delete again: " + await State.delete("notes", "a"));
console.log("keys after delete: " + (await State.listKeys("notes")).join(","));

await State.save("notes", "c", null);
console.log("saving nil deletes: " + (await State.listKeys("notes")).join(","));

// overwrite
await State.save("notes", "b", {title: "changed"});
const changed = await State.load("notes", "b");
console.log("overwritten: " + changed.title + " " + String(changed.tags === undefined));

// shorthands use scope "global"
await State.set("counter", 41);
await State.set("counter", (await State.get("counter")) + 1);
console.log("counter: " + await State.get("counter"));
console.log("same as global scope: " + await State.load("global", "counter"));
console.log("global keys: " + (await State.listKeys("global")).join(","));
await State.set("counter", null);
console.log("counter cleared: " + String((await State.get("counter")) == null));
