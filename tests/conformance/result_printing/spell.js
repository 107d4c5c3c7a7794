// The spell's export default value is the run's result; the CLI prints it after the output
// (objects as JSON with sorted keys, 2-space indent)
console.log("output first");
export default {b: [1, 2], a: "text", c: {nested: true}};
