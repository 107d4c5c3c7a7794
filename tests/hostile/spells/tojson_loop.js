// a busy toJSON, called from native JSON.stringify by print
print({ toJSON() { for (;;) {} } });
print("SURVIVED");
