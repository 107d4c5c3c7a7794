-- data-visualizer writes PNG and SVG charts in the working directory and reports their size
local sales = {
  {month = "Jan", north = 12, south = 7},
  {month = "Feb", north = 15, south = 9},
  {month = "Mar", north = 9, south = 14},
}
local r = Tool.execute("data-visualizer", {chart = "bar", data = sales, x = "month", y = {"north", "south"},
  title = "Sales", output_path = "charts/sales.png", width = 640, height = 480})
print("bar: " .. r.result.format .. " " .. r.result.width .. "x" .. r.result.height .. " series " .. table.concat(r.result.series, "+") .. " points " .. r.result.points)
print("bytes > 1000: " .. tostring(r.result.bytes > 1000))
print("exists: " .. tostring(Tool.execute("file-operations", {operation = "exists", path = "charts/sales.png"}).result.exists))
local m = Tool.execute("image-processor", {operation = "metadata", file_path = "charts/sales.png"})
print("image: " .. m.result.format .. " " .. m.result.width .. "x" .. m.result.height)
local svg = Tool.execute("data-visualizer", {chart = "line", data = {x = {1, 2, 3, 4}, y = {1, 4, 9, 16}}, output_path = "charts/squares.svg", width = 400, height = 300})
print("line: " .. svg.result.format .. " " .. svg.result.width .. "x" .. svg.result.height)
local head = Tool.execute("file-operations", {operation = "read", path = "charts/squares.svg"}).text
print("svg root: " .. tostring(head:find("<svg", 1, true) ~= nil))
local bad = Tool.execute("data-visualizer", {chart = "bar", data = sales, x = "month", y = "west", output_path = "bad.png"})
print("unknown field: " .. bad.error_kind .. ": " .. bad.error)
local nan = Tool.execute("data-visualizer", {chart = "line", data = sales, x = "north", y = "month", output_path = "bad.png"})
print("non-numeric: " .. nan.error_kind .. ": " .. nan.error)
local ok, err = pcall(Tool.execute, "data-visualizer", {chart = "pie", data = {1, 2}, output_path = "/etc/chart.png"})
print("outside allowed paths: " .. tostring(ok) .. " " .. err:match("(SecurityError)"))
