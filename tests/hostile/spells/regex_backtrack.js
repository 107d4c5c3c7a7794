// catastrophic backtracking in the regular expression engine
/(a+)+b/.test("a".repeat(40));
print("SURVIVED");
