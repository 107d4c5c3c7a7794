-- the attack inside a hook ([hooks] on_error = "report" must not swallow it)
Hook.register("BeforeToolExecution", function(ctx) while true do end end)
Tool.execute("calculator", { input = "1 + 1" })
print("SURVIVED")
