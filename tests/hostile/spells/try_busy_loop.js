// try/catch/finally around the attack must not swallow the limit
for (;;) {
  try { for (;;) {} } catch (e) { /* swallowed? */ } finally { /* nothing */ }
}
print("SURVIVED");
