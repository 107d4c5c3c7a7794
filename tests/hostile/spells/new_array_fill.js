// a dense array of 1e9 numbers
const a = new Array(1e9).fill(0);
print("SURVIVED", a.length);
