"""Host calls are requests answered by the async host (DESIGN.md §3): every API call
returns a Promise, top-level await works, several requests can be in flight at once."""

from __future__ import annotations

import time

from llmspell.runtime import Limits

#: how long the ``slow`` Python tool of conftest.py sleeps
SLOW_SECONDS = 0.2


def test_every_api_call_returns_a_promise(spell):
    ran = spell.run(
        """
        const calls = {
          "State.get": () => State.get("k"), "State.set": () => State.set("k", 1),
          "State.listKeys": () => State.listKeys("global"), "Tool.exists": () => Tool.exists("x"),
          "Tool.list": () => Tool.list(), "Tool.get": () => Tool.get("x"),
          "Config.get": () => Config.get("state"), "Debug.timer": () => Debug.timer("t"),
          "Debug.dump": () => Debug.dump(1), "Debug.info": () => Debug.info("x"),
          "Config.isNetworkAccessAllowed": () => Config.isNetworkAccessAllowed(),
          "Tool.execute (failing)": () => Tool.execute("nope", {}),
        };
        const kinds = {};
        for (const [name, f] of Object.entries(calls)) {
          const p = f();
          kinds[name] = p instanceof Promise && typeof p.then === "function";
          p.catch(() => {});
        }
        kinds
        """
    )
    assert ran.value and all(ran.value.values()), ran.value


def test_top_level_await(spell):
    ran = spell.run(
        """
        await State.set("a", {n: 1});
        const v = await State.get("a");
        print(v.n + 1);
        export default v
        """
    )
    assert ran.stdout == "2\n"
    assert ran.value == {"n": 1}


def test_then_chains_and_async_functions(spell):
    ran = spell.run(
        """
        async function inc(key) {
          const v = (await State.get(key)) ?? 0;
          await State.set(key, v + 1);
          return v + 1;
        }
        await inc("c"); await inc("c");
        export default await State.get("c").then(v => inc("c").then(w => [v, w]))
        """
    )
    assert ran.value == [2, 3]


def test_promise_all_runs_host_calls_concurrently(spell):
    start = time.monotonic()
    ran = spell.run(
        """
        const rs = await Promise.all([1, 2, 3, 4, 5].map(i => Tool.execute("slow", {i})));
        export default rs.map(r => r.result.i)
        """
    )
    elapsed = time.monotonic() - start
    assert ran.value == [1, 2, 3, 4, 5]  # in call order, whatever order they finished in
    # five 0.2 s calls in parallel: well under 5 x 0.2 s (a correctness check, not a benchmark)
    assert SLOW_SECONDS <= elapsed < 3 * SLOW_SECONDS, elapsed


def test_sequential_awaits_are_sequential(spell):
    start = time.monotonic()
    ran = spell.run(
        """
        const out = [];
        for (const i of [1, 2, 3]) out.push((await Tool.execute("slow", {i})).result.i);
        export default out
        """
    )
    assert ran.value == [1, 2, 3]
    assert time.monotonic() - start >= 3 * SLOW_SECONDS


def test_promise_race_and_all_settled(spell):
    ran = spell.run(
        """
        const first = await Promise.race([Tool.execute("slow", {i: 1}), State.get("none")]);
        const settled = await Promise.allSettled([Tool.execute("nope", {}), Tool.exists("slow")]);
        export default [first, settled.map(s => s.status), settled[0].reason.name,
                        settled[1].value]
        """
    )
    assert ran.value == [None, ["rejected", "fulfilled"], "NotFoundError", True]


def test_script_keeps_running_while_a_request_is_in_flight(spell):
    ran = spell.run(
        """
        const p = Tool.execute("slow", {i: 9});
        let n = 0;
        for (let i = 0; i < 1000; i++) n += i;
        console.log("computed", n);
        const r = await p;
        console.log("answered", r.result.i);
        """
    )
    assert ran.stdout == "computed 499500\nanswered 9\n"


def test_fire_and_forget_requests_complete_before_the_run_ends(spell):
    spell.run(
        """
        State.set("ff", 42);
        State.set("ff_obj", {a: [1, 2]});
        Tool.execute("slow", {i: 1}).then(r => State.set("after_slow", r.result.i));
        print("done");
        """
    )
    ran = spell.run(
        'export default [await State.get("ff"), await State.get("ff_obj"),'
        ' await State.get("after_slow")]'
    )
    assert ran.value == [42, {"a": [1, 2]}, 1]


def test_fire_and_forget_in_module_mode(spell):
    spell.run(
        'await 0;\nState.set("m", "x");\nTool.execute("slow", {}).then(() => State.set("m2", 2))'
    )
    assert spell.value('export default [await State.get("m"), await State.get("m2")]') == ["x", 2]


def test_output_of_unawaited_work_is_kept(spell):
    ran = spell.run(
        """
        Tool.execute("slow", {i: 3}).then(r => console.log("late", r.result.i));
        console.log("first");
        """
    )
    assert ran.stdout == "first\nlate 3\n"


def test_requests_are_answered_in_order_they_were_made(spell):
    ran = spell.run(
        """
        State.set("k", 1); State.set("k", 2); State.set("k", 3);
        export default await State.get("k")
        """
    )
    assert ran.value == 3


def test_many_requests_in_flight(spell):
    ran = spell.run(
        """
        await Promise.all(Array.from({length: 200}, (_, i) => State.set("k" + i, i)));
        const keys = await State.listKeys("global");
        const vals = await Promise.all(Array.from({length: 200}, (_, i) => State.get("k" + i)));
        export default [keys.length, vals.reduce((a, b) => a + b, 0)]
        """
    )
    assert ran.value == [200, sum(range(200))]


def test_concurrent_calls_within_the_time_limit(spell):
    # 10 parallel 0.2 s calls fit in a 1 s budget only because they run concurrently
    ran = spell.run(
        "export default (await Promise.all(Array.from({length: 10},"
        ' (_, i) => Tool.execute("slow", {i})))).length',
        limits=Limits(timeout_seconds=1),
    )
    assert ran.value == 10


def test_state_persists_between_runs_on_one_runtime(spell):
    spell.run('await State.save("scope", "key", {deep: {list: [1, "two", null]}})')
    ran = spell.run(
        'export default [await State.load("scope", "key"), await State.listKeys("scope"),'
        ' await State.delete("scope", "key"), await State.load("scope", "key")]'
    )
    assert ran.value == [{"deep": {"list": [1, "two", None]}}, ["key"], True, None]


def test_async_op_that_waits_and_one_that_does_not(spell):
    # Tool.execute of the Python "slow" tool really waits (task path); Tool.execute of a
    # script tool answered at once goes through the eager path; both settle correctly.
    out = spell.run(
        'await Tool.register({name: "quick", handler: (p) => p.n * 2})\n'
        "const [a, b] = await Promise.all(\n"
        '  [Tool.execute("slow", {}), Tool.execute("quick", {n: 21})])\n'
        "print(a.success, b.result)\n"
    )
    assert out.stdout == "true\t42\n"


def test_stuck_after_host_work_finishes_is_reported_at_once(spell):
    # the slow host call completes (task path), then nothing can settle the other Promise
    failed = spell.fail('await Promise.all([Tool.execute("slow", {}), new Promise(() => {})])\n')
    assert failed.error.kind == "ScriptError"
    assert "awaits a Promise that nothing will ever settle" in failed.error.message
