// links in the working directory to places outside the allowed paths:
// link -> /proc/self/environ, procdir -> /proc/self
const calls = {
  read: (p) => Tool.execute("file-operations", { operation: "read", path: p }),
  hash: (p) => Tool.execute("hash-calculator", { operation: "hash", input_type: "file", file: p }),
  search: (p) => Tool.execute("file-search", { pattern: "PATH", path: p }),
};
for (const path of ["link", "procdir/environ"]) {
  for (const op of ["read", "hash", "search"]) {
    let text;
    try {
      const r = await calls[op](path);
      text = "NO ERROR " + r.success + " " + r.error;
    } catch (e) {
      text = e.name + ": " + e.message;
    }
    print(op + " " + path + ": " + text);
  }
}
