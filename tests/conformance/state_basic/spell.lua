-- State.save/load/delete/list_keys by (scope, key), and the global shorthands set/get
State.save("notes", "b", {title = "second", tags = {"x", "y"}, n = 2})
State.save("notes", "a", "first")
State.save("notes", "c", 3)
State.save("other", "a", true)

local b = State.load("notes", "b")
print("loaded: " .. b.title .. " " .. b.tags[2] .. " " .. b.n)
print("string: " .. State.load("notes", "a"))
print("number: " .. State.load("notes", "c"))
print("boolean: " .. tostring(State.load("other", "a")))
print("missing is nil: " .. tostring(State.load("notes", "zzz") == nil))
print("keys: " .. table.concat(State.list_keys("notes"), ","))
print("empty scope keys: " .. #State.list_keys("nothing-here"))

print("delete existing: " .. tostring(State.delete("notes", "a")))
print("delete again: " .. tostring(State.delete("notes", "a")))
print("keys after delete: " .. table.concat(State.list_keys("notes"), ","))

State.save("notes", "c", nil)
print("saving nil deletes: " .. table.concat(State.list_keys("notes"), ","))

-- overwrite
State.save("notes", "b", {title = "changed"})
print("overwritten: " .. State.load("notes", "b").title .. " " .. tostring(State.load("notes", "b").tags == nil))

-- shorthands use scope "global"
State.set("counter", 41)
State.set("counter", State.get("counter") + 1)
print("counter: " .. State.get("counter"))
print("same as global scope: " .. State.load("global", "counter"))
print("global keys: " .. table.concat(State.list_keys("global"), ","))
State.set("counter", nil)
print("counter cleared: " .. tostring(State.get("counter") == nil))
