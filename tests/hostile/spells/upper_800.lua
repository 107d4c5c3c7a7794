-- about 10k VM instructions, 16 s of C work (string building)
for i = 1, 800 do
  local s = string.rep("ab", 4e6):upper()
end
print("SURVIVED")
