// Loops: range (both ends included, negative steps), collection, while_fn; break_when,
// max_iterations; {{loop.index}} / {{loop.item}}; iterations and stopped_by
function items(r) {
  return r.iterations.map((it) => it.index + ":" + String(it.item)).join(" ");
}

const squares = await Workflow.loop({
  name: "conf-squares",
  range: {start: 1, end: 4},
  steps: [
    {name: "square", tool: "calculator", input: {input: "{{loop.item}} * {{loop.item}}"}},
    {name: "label", fn: (ctx) => "#" + ctx.loop.index + "=" + ctx.steps.square.text},
    {name: "text", fn: (ctx) => ctx.input, input: "i={{loop.index}} item={{loop.item}}"},
  ],
});
const r = await squares.execute();
console.log("range: " + items(r) + " / " + r.metadata.extra.iterations + " " + r.metadata.extra.stopped_by);
for (const it of r.iterations) console.log("  " + it.outputs.label + " " + it.outputs.text);
console.log("last outputs: " + r.outputs.square.text + " " + r.outputs.label);
console.log("steps recorded: " + r.steps.length + " " + r.text);

// a negative step (withRange, rs-llmspell's, excludes the end), and start defaulting to 1
const down = await Workflow.builder().name("conf-down").loop()
  .withRange({start: 10, end: 4, step: -3})
  .addStep({name: "v", fn: (ctx) => ctx.loop.item})
  .build();
console.log("negative: " + items(await down.execute()));
const from1 = await Workflow.loop({name: "conf-from1", range: {end: 3},
  steps: [{name: "v", fn: (ctx) => ctx.loop.item}]});
console.log("default start: " + items(await from1.execute()));
const none = await Workflow.loop({name: "conf-none", range: {start: 5, end: 1},
  steps: [{name: "v", fn: (ctx) => ctx.loop.item}]});
const nr = await none.execute();
console.log("empty range: " + nr.iterations.length + " " + nr.metadata.extra.stopped_by + " " + nr.success);

// a collection of tables: {{loop.item.key}}
const people = await Workflow.builder().name("conf-people").loop()
  .withCollection([{name: "ana", age: 31}, {name: "bo", age: 42}, {name: "cy", age: 27}])
  .addStep({name: "greet", tool: "text-manipulator",
            input: {input: "{{loop.item.name}} is {{loop.item.age}}", operation: "uppercase"}})
  .build();
const pr = await people.execute();
for (const it of pr.iterations) console.log("collection " + it.index + ": " + it.outputs.greet.text);
console.log("collection item: " + pr.iterations[1].item.name + " " + pr.metadata.extra.stopped_by);

// break_when sees this iteration's outputs
const until9 = await Workflow.loop({
  name: "conf-break",
  range: {start: 1, end: 10},
  steps: [{name: "sq", tool: "calculator", input: {input: "{{loop.item}} ** 2"}}],
  breakWhen: (ctx) => ctx.steps.sq.result.result >= 9,
});
const br = await until9.execute();
console.log("break_when: " + items(br) + " " + br.metadata.extra.stopped_by);

// max_iterations bounds any loop
const capped = await Workflow.builder().name("conf-capped").loop()
  .withCollection(["a", "b", "c", "d"]).maxIterations(2)
  .addStep({name: "v", fn: (ctx) => ctx.loop.item})
  .build();
const cr = await capped.execute();
console.log("max_iterations: " + items(cr) + " " + cr.metadata.extra.stopped_by);

// while_fn is called before each iteration with the last iteration's outputs
const seen = [];
const counter = await Workflow.loop({
  name: "conf-while",
  whileFn: (ctx) => {
    const last = ctx.steps.count;
    seen.push(ctx.loop.index + "/" + (last == null ? "nil" : String(last)));
    return last == null || last < 3;
  },
  steps: [{name: "count", fn: (ctx) => ctx.loop.index}],
});
const wr = await counter.execute();
console.log("while_fn: " + wr.iterations.length + " " + wr.metadata.extra.stopped_by + " last " + wr.outputs.count);
console.log("while_fn saw: " + seen.join(" "));
console.log("while item: " + (wr.iterations[0].item == null ? "nil" : String(wr.iterations[0].item)));

// a while_fn loop without max_iterations stops after 1000 iterations
const forever = await Workflow.loop({name: "conf-forever", whileFn: () => true,
  steps: [{name: "n", fn: (ctx) => ctx.loop.index}]});
const fr = await forever.execute();
console.log("default bound: " + fr.metadata.extra.iterations + " " + fr.metadata.extra.stopped_by + " " + fr.outputs.n);
