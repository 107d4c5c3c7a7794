// Values keep their JSON type and content through the host (saved, loaded, rendered
// by Debug.dump the same way in every language); NaN and infinities are not JSON values
const values = [
  ["integer", 42],
  ["negative", -7],
  ["float", 2.5],
  ["largest safe integer", 9007199254740991],
  ["string", "café 😀 \"quoted\"\ttab"],
  ["empty string", ""],
  ["true", true],
  ["false", false],
  ["array", [1, "two", [3, [4]]]],
  ["object", {b: 1, a: {c: "x", d: [true, false]}}],
  ["empty object", {}],
];
for (const [name, value] of values) {
  await State.save("values", name, value);
  const back = await State.load("values", name);
  console.log(name + ": " + (await Debug.dump(back)).replace(/\s*\n\s*/g, " ")
    + " | same: " + String((await Debug.dump(back)) === (await Debug.dump(value))));
}
console.log("keys: " + (await State.listKeys("values")).join(","));
async function attempt(label, value) {
  try {
    await State.save("values", label, value);
    console.log(label + ": true");
  } catch (err) {
    console.log(label + ": false " + err.name);
  }
}
await attempt("nan", NaN);
await attempt("infinity", Infinity);
await attempt("nested -infinity", {x: [-Infinity]});
