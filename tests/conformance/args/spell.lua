-- ARGS: llmspell run spell -- a b --k v --flag --eq=1
print("script: " .. tostring(ARGS[0]:match("^spell%.") ~= nil))
print("first: " .. ARGS[1])
print("second: " .. ARGS[2])
print("third is nil: " .. tostring(ARGS[3] == nil))
print("k: " .. ARGS.k)
print("flag: " .. ARGS.flag)
print("eq: " .. ARGS.eq)
print("missing: " .. tostring(ARGS.missing == nil))
