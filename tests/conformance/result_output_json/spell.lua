-- With --output json the last line of stdout is {"duration_ms", "result", "usage"}
-- (keys sorted); the result keeps its JSON types
print("output first; no arguments: " .. #ARGS.positional)
return {
  text = "café",
  integer = 3,
  whole = 4.0,
  float = 2.5,
  flag = false,
  list = {1, "two", {3}},
  nested = {b = {}, a = true},
}
