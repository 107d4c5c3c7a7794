-- database-connector on a SQLite file in the working directory, writes allowed by llmspell.toml
local db = "sqlite:///shop.db"
local function run(params)
  params.url = db
  return Tool.execute("database-connector", params)
end
print("create: " .. run({operation = "execute", query = "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, cents INTEGER)"}).text)
local names = {"apple", "pear", "x'); DROP TABLE items; --"}
for i, name in ipairs(names) do
  local r = run({operation = "execute", query = "INSERT INTO items (name, cents) VALUES (:name, :cents)", params = {name = name, cents = i * 40}})
  print("insert " .. i .. ": " .. r.result.rows_affected)
end
local q = run({query = "SELECT id, name, cents FROM items WHERE cents < :1 ORDER BY id", params = {100}})
print("columns: " .. table.concat(q.result.columns, ","))
for _, row in ipairs(q.result.rows) do print("row: " .. row.id .. " " .. row.name .. " " .. row.cents) end
print("row_count: " .. q.result.row_count .. " truncated: " .. tostring(q.result.truncated))
local inj = run({query = "SELECT count(*) AS n FROM items WHERE name = :n", params = {n = names[3]}})
print("injection stored verbatim: " .. inj.result.rows[1].n)
local capped = run({query = "SELECT id FROM items ORDER BY id", max_rows = 2})
print("capped: " .. capped.result.row_count .. " truncated: " .. tostring(capped.result.truncated))
local s = run({operation = "schema"})
local t = s.result.tables[1]
local cols = {}
for _, c in ipairs(t.columns) do cols[#cols + 1] = c.name .. ":" .. c.type .. (c.primary_key and "*" or "") end
print("schema: " .. t.name .. " " .. table.concat(cols, " "))
local two = run({query = "SELECT 1; DROP TABLE items"})
print("two statements: " .. two.error_kind)
local bad = run({query = "SELECT nope FROM items"})
print("bad sql: " .. bad.error_kind .. " " .. tostring(bad.error:find("no such column: nope", 1, true) ~= nil))
local ok, err = pcall(run, {operation = "execute", query = "ATTACH DATABASE 'other.db' AS other"})
print("attach: " .. tostring(ok) .. " " .. err:match("(SecurityError)"))
ok, err = pcall(Tool.execute, "database-connector", {url = "sqlite:////etc/shop.db", query = "SELECT 1"})
print("outside allowed paths: " .. tostring(ok) .. " " .. err:match("(SecurityError)"))
