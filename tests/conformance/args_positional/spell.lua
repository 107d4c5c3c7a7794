-- ARGS.positional lists the arguments that are not options, in order (an array in
-- both languages); the same values are ARGS[1], ARGS[2], ...
-- llmspell run spell -- one --mode fast "two words" --dry-run --n=3 "" last -5
local positional = ARGS.positional
print("count: " .. #positional)
for i, value in ipairs(positional) do
  print(i .. ": [" .. value .. "] same as ARGS[" .. i .. "]: " .. tostring(ARGS[i] == value))
end
print("after the last: " .. tostring(ARGS[#positional + 1] == nil))
print("options: mode=" .. ARGS.mode .. " dry-run=" .. ARGS["dry-run"] .. " n=" .. ARGS.n)
print("options are not positional: " .. tostring(not table.concat(positional, " "):find("fast")))
print("joined: " .. table.concat(positional, "|"))
