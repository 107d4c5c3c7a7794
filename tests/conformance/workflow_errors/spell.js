// Error strategies: fail_fast raises a WorkflowError naming the step; continue records
// the failure (success=false, error, failed_steps); retry runs a step again with backoff;
// a step's retry_count applies under any strategy; validation errors are not retried
function boom() { throw new Error("boom"); }
function message(err) { return err.name + ": " + err.message; }
function located(text) { return text.replace(/ \(at spell\.[a-z]+:\d+\)/g, " (at <file>:<line>)"); }
async function attempt(wf) {
  try { await wf.execute(); return null; } catch (err) { return err; }
}

// fail_fast (the default): the first failure ends the run; later steps do not run
let ranAfter = false;
const strict = await Workflow.sequential({name: "conf-strict", steps: [
  {name: "ok", fn: () => 1},
  {name: "bad", tool: "calculator", input: {input: "1 +"}},
  {name: "after", fn: () => { ranAfter = true; }},
]});
const err = await attempt(strict);
console.log("fail_fast raised: " + String(err !== null) + ", later step ran: " + ranAfter);
console.log(message(err));
const err2 = await attempt(await Workflow.sequential({name: "conf-strict-fn", steps: [{name: "f", fn: boom}]}));
console.log(located(message(err2)));

// continue: every step runs; the result tells what failed
const tolerant = await Workflow.sequential({name: "conf-tolerant", errorStrategy: "continue", steps: [
  {name: "bad", tool: "calculator", input: {input: "1 +"}},
  {name: "good", tool: "calculator", input: {input: "1 + 1"}},
  {name: "raises", fn: boom},
  {name: "kind", fn: () => { throw new Error("StateError: no such key"); }},
]});
const r = await tolerant.execute();
console.log("success: " + r.success + ", good: " + r.outputs.good.text);
console.log("text: " + r.text);
console.log("error: " + r.error);
console.log("counts: " + r.metadata.extra.total_steps + " " + r.metadata.extra.successful_steps + " "
            + r.metadata.extra.failed_steps);
for (const s of r.steps) {
  console.log("record " + s.name + ": " + s.success + " " + located(s.error ?? "-"));
}

// retry: a step that fails twice, then succeeds
let attempts = 0;
const flaky = await Workflow.sequential({name: "conf-retry", errorStrategy: "retry", backoffMs: 1, steps: [
  {name: "flaky", fn: () => {
     attempts += 1;
     if (attempts < 3) throw new Error("ProviderError: try again");
     return "worked on attempt " + attempts;
   }},
]});
const fr = await flaky.execute();
console.log("retry: " + fr.success + " " + fr.outputs.flaky + " (" + fr.steps.length + " record)");

// retries spent: as fail_fast (max_retries 2: three attempts in all)
attempts = 0;
const hopeless = await Workflow.builder().name("conf-hopeless").sequential().errorStrategy("retry")
  .maxRetries(2).backoffMs(1)
  .addStep({name: "never", fn: () => { attempts += 1; throw new Error("ToolError: still down"); }})
  .build();
const err3 = await attempt(hopeless);
console.log("retries spent: " + String(err3 !== null) + " after " + attempts + " attempts");
console.log(located(message(err3)));

// a validation error is not retried
attempts = 0;
const invalid = await Workflow.sequential({name: "conf-invalid", errorStrategy: "retry", backoffMs: 1, steps: [
  {name: "v", fn: () => { attempts += 1; throw new Error("ValidationError: bad input"); }},
]});
const err4 = await attempt(invalid);
console.log("validation not retried: " + attempts + " attempt, " + located(message(err4)));

// a step's retry_count works under fail_fast and continue
attempts = 0;
const own = await Workflow.sequential({name: "conf-own-retry", backoffMs: 1, steps: [
  {name: "twice", retryCount: 1, fn: () => {
     attempts += 1;
     if (attempts === 1) throw new Error("TimeoutError: slow");
     return "second attempt";
   }},
]});
console.log("retry_count: " + (await own.execute()).outputs.twice + " (" + attempts + " attempts)");
attempts = 0;
const own2 = await Workflow.sequential({name: "conf-own-retry2", errorStrategy: "continue", backoffMs: 1, steps: [
  {name: "down", retryCount: 2, fn: () => { attempts += 1; throw new Error("ToolError: down"); }},
  {name: "next", fn: () => "ran"},
]});
const o2 = await own2.execute();
console.log("retry_count under continue: " + attempts + " attempts, " + o2.success + " " + o2.outputs.next);
