-- State migrations: a schema version per scope, functions registered by the spell,
-- applied in one transaction (a failing migration writes nothing)
State.save("users", "ann", {name = "Ann Lee", age = 30})
State.save("users", "bob", {name = "Bob", age = 17})
State.save("users", "tmp", {name = "x", temp = true})
print("versions before: " .. tostring(State.get_schema_versions().users))
State.register_migration("users", 1, function(v, key)
  if v.temp then return nil end -- nil deletes the key
  return {full_name = v.name, age = v.age}
end)
State.register_migration("users", 2, function(v, key)
  v.adult = v.age >= 18
  v.id = key
  return v
end)
local status = State.get_migration_status()
print("pending: " .. status[1].scope .. " " .. status[1].current .. " -> " .. status[1].target .. " [" .. table.concat(status[1].pending, ",") .. "]")
local dry = State.migrate({dry_run = true})
print("dry run: " .. dry[1].changed .. " changed, " .. dry[1].deleted .. " deleted; still " .. #State.list_keys("users") .. " keys")
local r = State.migrate()
print("migrated: " .. r[1].from .. " -> " .. r[1].to .. ", " .. r[1].keys .. " keys, " .. r[1].changed .. " changed, " .. r[1].deleted .. " deleted")
local ann = State.load("users", "ann")
print("ann: " .. ann.full_name .. " " .. tostring(ann.adult) .. " " .. ann.id)
print("keys: " .. table.concat(State.list_keys("users"), ","))
print("version: " .. State.get_schema_versions().users)
print("again: " .. #State.migrate()[1].applied .. " applied")
-- a failing migration writes nothing
State.register_migration("users", 3, function(v, key)
  if key == "bob" then error("bad data for bob") end
  v.v3 = true
  return v
end)
local ok, err = pcall(State.migrate)
print("failed: " .. tostring(ok) .. " " .. tostring(err):match("State.migrate: scope '[^']*', key '[^']*', to version %d+") .. " " .. tostring(err:find("bad data for bob", 1, true) ~= nil) .. " " .. tostring(err:find("nothing was written", 1, true) ~= nil))
print("ann unchanged: " .. tostring(State.load("users", "ann").v3) .. " version " .. State.get_schema_versions().users)
local ok2, err2 = pcall(State.register_migration, "users", 2, function(v) return v end)
print("duplicate: " .. tostring(ok2) .. " " .. err2)
print("unknown scope: " .. select(2, pcall(State.migrate, {scope = "nope"})))
State.set_schema_version("fresh", 4)
print("set version: " .. State.get_schema_versions().fresh)
