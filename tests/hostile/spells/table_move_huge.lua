-- one C call that moves (nothing) about 2^63 times
table.move({}, 1, math.maxinteger - 1, 2)
print("SURVIVED")
