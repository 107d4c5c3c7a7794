// a FinalizationRegistry callback that never returns
const registry = new FinalizationRegistry(() => { for (;;) {} });
(function () { registry.register({}, 1); })();
for (let i = 0; i < 1000; i++) [{}, {}, {}];
print("done");
