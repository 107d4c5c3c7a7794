-- The spell's return value is the run's result; the CLI prints it after the output
-- (tables as JSON with sorted keys, 2-space indent)
print("output first")
return {b = {1, 2}, a = "text", c = {nested = true}}
