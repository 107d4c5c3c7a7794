// unbounded recursion: a RangeError / InternalError, never a crash
function f(n) { return 1 + f(n + 1); }
print(f(1));
print("SURVIVED");
