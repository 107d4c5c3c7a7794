// Agent steps over a real HTTP server (llm-katan's echo model answers with a header line
// and "User: <the prompt>"): sequential and parallel agent workflows, placeholders from
// agent text, metadata.extra.agent_outputs, conversation kept across steps
const writer = await Agent.create({name: "writer", model: "katan/echo-model"});
const editor = await Agent.builder().name("editor").model("katan/echo-model").build();

const seq = await Workflow.sequential({name: "conf-draft-edit", steps: [
  {name: "draft", agent: writer, input: "Write about {{input.topic}}."},
  {name: "edit", agent: editor, input: "Tighten this: {{steps.draft.text}}"},
  {name: "again", agent: "writer", input: "tokens so far: {{steps.draft.output.usage.total_tokens}}"},
]});
const r = await seq.execute({topic: "tide pools"});
console.log("success: " + r.success + " " + r.text);
console.log("draft: " + String(r.outputs.draft.text.includes("User: Write about tide pools.")));
console.log("edit saw the draft: " + String(r.outputs.edit.text.includes("User: Tighten this: [echo] model=echo-model"))
            + " " + String(r.outputs.edit.text.includes("User: Write about tide pools.")));
console.log("agent result shape: " + r.outputs.draft.model + " " + typeof r.outputs.draft.usage.total_tokens);
console.log("tokens placeholder is a number: "
            + String(/User: tokens so far: \d+$/.test(r.outputs.again.text)));
console.log("writer kept its conversation: " + String(r.outputs.again.text.includes("messages=3")));
console.log("agent_outputs: " + Object.keys(r.metadata.extra.agent_outputs).sort().join(","));
console.log("agent_outputs is the last text: "
            + String(r.metadata.extra.agent_outputs.writer === r.outputs.again.text) + " "
            + String(r.metadata.extra.agent_outputs.editor === r.outputs.edit.text));

// parallel agent steps; a step without input gets the workflow's input
const fan = await Workflow.parallel({name: "conf-agent-fan", maxConcurrency: 2, steps: [
  {name: "q1", agent: await Agent.create({name: "a1", model: "katan/echo-model"}), input: "question one"},
  {name: "q2", agent: await Agent.create({name: "a2", model: "katan/echo-model"}), input: "question two"},
  {name: "q3", agent: await Agent.create({name: "a3", model: "katan/echo-model"})},
]});
const pr = await fan.execute("the workflow input");
console.log("parallel: " + pr.success + " " + pr.metadata.extra.successful_steps);
console.log("q1: " + String(pr.outputs.q1.text.includes("User: question one")));
console.log("q2: " + String(pr.outputs.q2.text.includes("User: question two")));
console.log("q3 (the workflow input): " + String(pr.outputs.q3.text.includes("User: the workflow input")));
console.log("parallel agent_outputs: " + Object.keys(pr.metadata.extra.agent_outputs).sort().join(","));

// an agent step with no input at all fails the step
const empty = await Workflow.sequential({name: "conf-no-input", errorStrategy: "continue",
  steps: [{name: "ask", agent: writer}]});
const er = await empty.execute();
console.log("no input: " + er.success + " " + er.steps[0].error.match(/^(\w+Error)/)[1]);
