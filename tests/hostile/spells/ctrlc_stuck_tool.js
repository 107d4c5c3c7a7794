// a CPU-heavy tool call, again and again: stuck in the host (or refused and retried)
print("READY");
for (;;) {
  await Tool.execute("template-creator", { input: "{{ (7 ** 30000000) % 10 }}" });
}
