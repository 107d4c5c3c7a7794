// A loop whose range or collection ends exactly at max_iterations has completed: every
// item ran, so stopped_by is "completed"; one more item would make it "max_iterations"
async function stopped(source, limit) {
  source.name = "conf-bound";
  source.maxIterations = limit;
  source.steps = [{name: "v", fn: (ctx) => ctx.loop.item}];
  const r = await (await Workflow.loop(source)).execute();
  return r.iterations.length + " " + r.metadata.extra.stopped_by;
}
console.log("collection of 2, max 2: " + await stopped({collection: ["a", "b"]}, 2));
console.log("collection of 3, max 2: " + await stopped({collection: ["a", "b", "c"]}, 2));
console.log("range 1..3, max 3: " + await stopped({range: {start: 1, end: 3}}, 3));
console.log("range 1..4, max 3: " + await stopped({range: {start: 1, end: 4}}, 3));
console.log("collection of 2, max 5: " + await stopped({collection: ["a", "b"]}, 5));
