-- file-operations in the working directory (an allowed path by default): write, append, read, exists, delete; denials raise
local function show(label, r)
  if r.success then print(label .. ": " .. r.text) else print(label .. ": failed " .. r.error_kind .. ": " .. r.error) end
end
show("write", Tool.execute("file-operations", {operation = "write", path = "notes/todo.txt", input = "line one\n"}))
show("append", Tool.execute("file-operations", {operation = "append", path = "notes/todo.txt", input = "line two\n"}))
local read = Tool.execute("file-operations", {operation = "read", path = "notes/todo.txt"})
print("read: " .. (read.text:gsub("\n", "|")))
show("exists", Tool.execute("file-operations", {operation = "exists", path = "notes/todo.txt"}))
show("overwrite", Tool.execute("file-operations", {operation = "write", path = "notes/todo.txt", input = "fresh"}))
print("read again: " .. Tool.execute("file-operations", {operation = "read", path = "notes/todo.txt"}).text)
show("delete", Tool.execute("file-operations", {operation = "delete", path = "notes/todo.txt"}))
print("exists after delete: " .. tostring(Tool.execute("file-operations", {operation = "exists", path = "notes/todo.txt"}).result.exists))
show("read missing", Tool.execute("file-operations", {operation = "read", path = "missing.txt"}))
local ok, err = pcall(Tool.execute, "file-operations", {operation = "read", path = "/etc/passwd"})
print("outside allowed paths: " .. tostring(ok) .. " " .. err:match("(SecurityError: access to '/etc/passwd' is denied)"))
ok, err = pcall(Tool.execute, "file-operations", {operation = "write", path = "/etc/llmspell-conformance.txt", input = "x"})
print("write outside: " .. tostring(ok) .. " " .. err:match("(SecurityError): "))
