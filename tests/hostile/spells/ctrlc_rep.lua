-- long C calls that fit in the time left (a 600 s limit), so nothing refuses them
print("READY")
while true do
  pcall(string.rep, "", 2^62)
  pcall(table.move, {}, 1, 2e9, 2)
end
