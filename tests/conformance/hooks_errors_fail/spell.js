// With [hooks] on_error = "fail", a hook's error fails the operation it hooked;
// [hooks] max_retries bounds "retry" (here 1)
let h = await Hook.register("BeforeToolExecution", (ctx) => { throw new Error("oops"); });
let err = null;
try { await Tool.execute("calculator", {input: "1 + 1"}); } catch (e) { err = e; }
console.log("raising hook: " + String(err === null) + " " + String(err.name === "ScriptError")
            + " " + String(err.message.includes("oops")));
console.log("names the hook: " + String(/hook \d+ at BeforeToolExecution failed: /.test(err.message)));
await h.unregister();

h = await Hook.register("AfterToolExecution", (ctx) => 42);
err = null;
try { await Tool.execute("calculator", {input: "1 + 1"}); } catch (e) { err = e; }
console.log("garbage: " + String(err === null) + " " + String(err.name === "ValidationError")
            + " " + String(err.message.includes("returned number")));
await h.unregister();

h = await Hook.register("BeforeWorkflowStart", (ctx) => { throw new Error("WorkflowError: not today"); });
const wf = await Workflow.sequential({name: "conf-fail-hook", steps: [{name: "s", fn: () => 1}]});
err = null;
try { await wf.execute(); } catch (e) { err = e; }
console.log("workflow hook: " + String(err === null) + " " + String(err.message.includes("not today")));
await h.unregister();
console.log("without the hook: " + (await wf.execute()).outputs.s);

// max_retries = 1: a retrying hook makes the tool run twice
let calls = 0;
await Tool.register({name: "conf-count", description: "counts", handler: () => { calls += 1; return calls; }});
await Hook.register("AfterToolExecution", () => "retry");
console.log("retry bounded: result " + (await Tool.execute("conf-count", {})).result + ", " + calls + " calls");
