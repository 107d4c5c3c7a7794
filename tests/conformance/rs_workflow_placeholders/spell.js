// rs-llmspell's placeholder spellings: {{step.NAME.result}} (and .output/.text) is what the
// step produced; a bare {{name}} is a step's output, else an input key; anything else
// ({{content}} for template-creator's own template) passes through unchanged
const wf = await Workflow.builder()
  .name("conf-rs-blog")
  .sequential()
  .addStep({name: "draft", type: "tool", tool: "text-manipulator",
            input: {input: "tide pools", operation: "uppercase"}})
  .addStep({name: "blog", type: "tool", tool: "template-creator",
            input: {input: "{{content}}\n\n[Formatted for Blog]",
                    context: {content: "{{step.draft.result}}"}}})
  .addStep({name: "bare", fn: (ctx) => ctx.input,
            input: "{{draft}} by {{author}} / {{user.name}} / {{#if x}}"})
  .addStep({name: "forms", fn: (ctx) => ctx.input,
            input: "{{step.draft.output}}|{{step.draft.text}}|{{steps.draft.result.result}}"})
  .addStep({name: "fn", fn: () => ({n: 3})})
  .addStep({name: "fn_result", fn: (ctx) => ctx.input,
            input: "{{step.fn.result}} {{step.fn.result.n}} {{fn}}"})
  .build();
const r = await wf.execute({author: "Ada"});
console.log("success: " + r.success);
console.log("blog: " + r.outputs.blog.text.replace(/\n/g, "|"));
console.log("bare: " + r.outputs.bare);
console.log("forms: " + r.outputs.forms);
console.log("fn_result: " + r.outputs.fn_result);

// explicit roots stay strict: a typo is an error naming the placeholder
const strict = await Workflow.builder().name("conf-rs-strict").sequential()
  .addStep({name: "a", fn: () => "A"})
  .addStep({name: "b", fn: (ctx) => ctx.input, input: "{{step.aa.result}}"})
  .build();
try {
  await strict.execute();
  console.log("typo raised: false");
} catch (e) {
  console.log("typo raised: true");
  console.log(e.name + ": " + e.message);
}
