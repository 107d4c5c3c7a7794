// the attack inside a hook ([hooks] on_error = "report" must not swallow it)
await Hook.register("BeforeToolExecution", (ctx) => { for (;;) {} });
await Tool.execute("calculator", { input: "1 + 1" });
print("SURVIVED");
