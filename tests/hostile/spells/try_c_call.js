// try/catch around a long native call must not swallow the limit
for (;;) {
  try { Array(2 ** 32 - 1).join(""); } catch (e) { /* swallowed? */ }
}
print("SURVIVED");
