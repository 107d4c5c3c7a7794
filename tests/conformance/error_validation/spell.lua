-- An uncaught ValidationError: exit code 1, "file:line: ValidationError: ..." on stderr
Tool.register({
  name = "conf-needs-n",
  description = "Needs n",
  parameters = {type = "object", properties = {n = {type = "integer"}}, required = {"n"}},
  handler = function(params) return params.n end,
})
print("before the error")
Tool.execute("conf-needs-n", {n = "not a number"})
print("never printed")
