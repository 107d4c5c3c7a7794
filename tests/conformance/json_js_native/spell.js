// JavaScript keeps its own JSON: JSON.parse / JSON.stringify are the language's, not the
// host's (Lua's JSON global is covered by json_parse_stringify and json_errors)
const v = JSON.parse('{"name": "llmspell", "tags": ["a", "b"], "n": 3, "f": 2.5, "nested": {"z": 1, "a": [1, [2, 3]]}}');
console.log("name: " + v.name + " tags: " + v.tags.join(""));
console.log("n: " + v.n + " " + Number.isInteger(v.n) + " f: " + v.f);
console.log("null stays null: " + String(JSON.parse('{"x": null}').x === null));
console.log("unicode: " + JSON.parse('"caf\\u00e9 \\ud83d\\ude00"'));
// the language's rules: keys keep their insertion order, undefined members are left out,
// the second argument is a replacer (true is ignored), the third the indentation
console.log("insertion order: " + JSON.stringify({b: 1, a: 2, c: undefined}));
console.log("true is no pretty flag: " + JSON.stringify({b: [1, 2]}, true));
console.log("indented:\n" + JSON.stringify({b: [1, 2], a: {c: "x"}}, null, 2));
console.log("toJSON: " + JSON.stringify({when: {toJSON: () => "now"}}));
// parsed values cross to the host and back like any other value (same content; the
// order of an object's keys is not kept)
const sorted = (key, value) => (value && typeof value === "object" && !Array.isArray(value)
  ? Object.fromEntries(Object.entries(value).sort()) : value);
await State.save("json", "v", v);
const back = await State.load("json", "v");
console.log("round trip through State: "
  + String(JSON.stringify(back, sorted) === JSON.stringify(v, sorted)));
console.log("host rendering: " + (await Debug.dump(v.nested)).replace(/\s/g, ""));
// host results stringify like ordinary objects
await Tool.register({name: "conf-pair", description: "Returns a pair", handler: () => ({b: 2, a: 1})});
const r = await Tool.execute("conf-pair", {});
console.log("tool result: " + JSON.stringify(r.result));
// errors are the language's: SyntaxError, TypeError
try {
  JSON.parse("[1, 2,]");
} catch (err) {
  console.log("bad text: " + err.name + " " + String(err instanceof SyntaxError));
}
const cyclic = {};
cyclic.self = cyclic;
try {
  JSON.stringify(cyclic);
} catch (err) {
  console.log("cyclic: " + err.name);
}
console.log("no host JSON helpers: " + String(typeof JSON.decode === "undefined"));
// uncaught: a ScriptError naming the SyntaxError, with the line
JSON.parse("{");
