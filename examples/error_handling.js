// error_handling.js: catching errors by kind, raising your own, failures that are results. Run it with: llmspell run examples/error_handling.js
// A failed API call rejects its Promise with an Error whose name is the kind
// (e.name === "ValidationError") and whose message is the rest: await + try/catch.
const describe = (e) => e.name + ": " + e.message;

// 1. API misuse throws; try/catch catches it
try {
  await State.get(42);
} catch (e) {
  print("1. " + describe(e));
}
try {
  await Tool.execute("no-such-tool", {});
} catch (e) {
  print("1. " + e.name);
}

// 2. throw a kind yourself: an Error whose name is the kind
async function fetch(url) {
  if (!url.startsWith("https://")) {
    const e = new Error("fetch: only https URLs are allowed");
    e.name = "ValidationError";
    throw e;
  }
  return "fetched " + url;
}
try {
  await fetch("http://example.com");
} catch (e) {
  print("2. " + describe(e));
}
print("2. " + (await fetch("https://example.com")));

// 3. a tool that fails doing its job returns success = false instead of throwing
//    ("Kind: message" in the text of a thrown Error gives the kind too)
await Tool.register({
  name: "flaky",
  handler: () => {
    throw new Error("ToolError: the service is down");
  },
});
const r = await Tool.execute("flaky", {});
print("3. success=" + r.success + ", " + r.error_kind + ": " + r.error);

// 4. a bug in the spell (a TypeError) is caught the same way; it has no llmspell kind
try {
  const t = null;
  t.field;
} catch (e) {
  print("4. caught a bug: " + (e instanceof TypeError));
}

// 5. clean-up that always runs (finally), then the error goes on to the caller
async function withLock(fn) {
  await State.set("lock", true);
  try {
    await fn();
  } finally {
    await State.set("lock", null); // saving null deletes the key
  }
}
try {
  await withLock(async () => {
    const e = new Error("step 2 failed");
    e.name = "ToolError";
    throw e;
  });
} catch (e) {
  print("5. lock held: " + ((await State.get("lock")) !== null) + ", " + describe(e));
}

// The wall-time limit cannot be caught: catch never sees it, the run ends anyway.
print("done");
