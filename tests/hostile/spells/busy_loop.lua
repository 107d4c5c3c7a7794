-- a plain VM loop: the cooperative check (count hook) ends it
while true do end
print("SURVIVED")
