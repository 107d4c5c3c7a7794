// {{...}} placeholders in step inputs: input, input.key, steps.x(.text), steps.x.result.path
// (arrays from 1), steps.x.output.path, shared.k; values become text (integers without
// a decimal point, tables as JSON); also inside nested tables
const wf = await Workflow.sequential({
  name: "conf-placeholders",
  steps: [
    {name: "whole", fn: (ctx) => ctx.input, input: "got {{input}}"},
    {name: "field", fn: (ctx) => ctx.input,
     input: "topic={{input.topic}} n={{input.count}} first={{input.tags.1}} second={{input.tags.2}}"},
    {name: "calc", tool: "calculator", input: {input: "{{input.count}} * 2"}},
    {name: "text", fn: (ctx) => ctx.input,
     input: "text={{steps.calc.text}} bare={{steps.calc}} result={{steps.calc.result.result}}"},
    {name: "listing", fn: (ctx) =>
       ({items: [{id: "first"}, {id: "second"}], total: 2, nested: {ok: true}})},
    {name: "paths", fn: (ctx) => ctx.input,
     input: {
       a: "{{steps.listing.result.items.1.id}}",
       b: "{{steps.listing.result.items.2.id}}",
       total: "{{steps.listing.result.total}}",
       nested: {deep: "ok={{steps.listing.result.nested.ok}}"},
       list: ["{{steps.listing.output.items.2.id}}", "{{shared.owner}}"],
     }},
    {name: "output", fn: (ctx) => ctx.input,
     input: "tool={{steps.calc.output.metadata.tool}} type={{steps.calc.result.result_type}}"},
    {name: "json", fn: (ctx) => ctx.input,
     input: "{{steps.listing.result.nested}} {{input.tags}}"},
    {name: "fn_text", fn: (ctx) => ctx.input, input: "{{steps.field.text}}"},
    {name: "default", fn: (ctx) => ctx.input.topic},
  ],
});
await wf.setSharedData("owner", "ops");
const r = await wf.execute({topic: "tides", count: 21, tags: ["sea", "moon"]});
console.log("whole: " + r.outputs.whole.slice(0, 5) + " (json object: " + String(r.outputs.whole.includes('"topic":"tides"')) + ")");
console.log("field: " + r.outputs.field);
console.log("calc: " + r.outputs.calc.text);
console.log("text: " + r.outputs.text);
const p = r.outputs.paths;
console.log("paths: " + p.a + " " + p.b + " " + p.total + " " + p.nested.deep + " " + p.list[0] + " " + p.list[1]);
console.log("output: " + r.outputs.output);
console.log("json: " + r.outputs.json);
console.log("fn_text: " + r.outputs.fn_text);
console.log("default: " + r.outputs.default);

// a string workflow input: {{input}} is the string; a tool step without input gets
// {input = <the string>}
const s = await Workflow.sequential({name: "conf-string-input", steps: [
  {name: "upper", tool: "text-manipulator", input: {input: "{{input}}", operation: "uppercase"}},
  {name: "reversed", tool: "text-manipulator", input: {input: "{{steps.upper.text}}", operation: "reverse"}},
  {name: "plain", tool: "calculator"},
]});
const sr = await s.execute("7 * 6");
console.log("string input: " + sr.outputs.upper.text + " / " + sr.outputs.reversed.text + " / " + sr.outputs.plain.text);
