// The llmspell service dashboard. Everything shown comes from the JSON API, called with
// the token the user pastes (kept in sessionStorage). Runs' output is untrusted: text is
// only ever put in the page with textContent / text nodes, never parsed as HTML.
"use strict";

(() => {
  const KEY = "llmspell.serve.token";
  const FINAL = new Set(["succeeded", "failed", "cancelled"]);
  const REFRESH_MS = 2000;
  const $ = (id) => document.getElementById(id);

  let selected = null; // the run shown in detail
  let follower = null; // AbortController of the live output stream
  let timer = null;

  class ApiFailure extends Error {
    constructor(status, kind, message, hint) {
      super(message);
      this.status = status;
      this.kind = kind;
      this.hint = hint;
    }
  }

  const token = () => sessionStorage.getItem(KEY);
  const authHeaders = () => ({ Authorization: "Bearer " + token() });

  async function failure(response) {
    let err = {};
    try {
      err = (await response.json()).error || {};
    } catch (_) {
      // not JSON: keep the status line
    }
    return new ApiFailure(response.status, err.kind || "HTTPError",
      err.message || response.statusText || "request failed", err.hint);
  }

  async function api(path, options = {}) {
    const response = await fetch(path, {
      ...options, cache: "no-store", headers: { ...authHeaders(), ...(options.headers || {}) },
    });
    if (!response.ok) throw await failure(response);
    return response.json();
  }

  // -- display helpers -----------------------------------------------------------------
  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  // seconds since the epoch (runs) or an ISO 8601 time (schedules)
  function when(value) {
    if (!value) return "";
    const date = new Date(typeof value === "number" ? value * 1000 : value);
    if (Number.isNaN(date.getTime())) return String(value);
    return date.toISOString().replace("T", " ").slice(0, 19) + " UTC";
  }

  function duration(run) {
    if (!run.started_at) return "";
    const end = run.finished_at || Date.now() / 1000;
    return Math.max(0, end - run.started_at).toFixed(1) + " s";
  }

  function tokens(usage) {
    if (!usage || (usage.input_tokens === undefined && usage.output_tokens === undefined)) {
      return "";
    }
    return `${usage.input_tokens || 0} in / ${usage.output_tokens || 0} out`;
  }

  function cost(usage) {
    if (!usage || typeof usage.cost_usd !== "number") return "";
    return "$" + usage.cost_usd.toFixed(usage.cost_usd < 0.01 ? 6 : 4);
  }

  function pretty(value) {
    if (value === null || value === undefined) return "";
    return typeof value === "string" ? value : JSON.stringify(value, null, 2);
  }

  function statusBadge(node, status) {
    node.textContent = status || "";
    node.className = "status status-" + (status || "unknown");
  }

  function showError(message) {
    const box = $("error");
    box.textContent = message;
    box.hidden = !message;
  }

  function describe(err) {
    if (err instanceof ApiFailure) {
      return `${err.kind}: ${err.message}` + (err.hint ? ` (${err.hint})` : "");
    }
    return "cannot reach the service: " + err.message;
  }

  // -- token -----------------------------------------------------------------------------
  function showLogin() {
    stopRefresh();
    stopFollowing();
    $("main").hidden = true;
    $("logout").hidden = true;
    $("login").hidden = false;
    $("token").value = "";
    $("token").focus();
  }

  function handle(err) {
    if (err instanceof ApiFailure && (err.status === 401 || err.status === 403)
        && (err.kind === "AuthenticationError" || err.kind === "PermissionError")) {
      sessionStorage.removeItem(KEY);
      showLogin();
      showError("The service refused the token: " + describe(err));
      return;
    }
    showError(describe(err));
  }

  async function connect() {
    $("login").hidden = true;
    try {
      await refresh();
    } catch (err) {
      handle(err);
      return;
    }
    showError("");
    $("main").hidden = false;
    $("logout").hidden = false;
    stopRefresh();
    timer = setInterval(() => refresh().catch(handle), REFRESH_MS);
  }

  function stopRefresh() {
    if (timer !== null) clearInterval(timer);
    timer = null;
  }

  // -- runs and schedules ----------------------------------------------------------------
  async function refresh() {
    const status = $("status-filter").value;
    const query = "?limit=100" + (status ? "&status=" + encodeURIComponent(status) : "");
    const [runs, schedules] = await Promise.all([
      api("/v1/runs" + query), api("/v1/schedules"),
    ]);
    renderRuns(runs.runs);
    renderSchedules(schedules.schedules);
    showError("");
  }

  function renderRuns(runs) {
    const body = $("runs").tBodies[0];
    const rows = runs.map((run) => {
      const tr = el("tr");
      tr.dataset.id = run.id;
      tr.dataset.status = run.status;
      if (run.id === selected) tr.classList.add("selected");
      tr.append(el("td", run.id.slice(0, 12)), el("td", run.kind), el("td", run.spell || ""));
      const badge = el("span");
      statusBadge(badge, run.status);
      const statusCell = el("td");
      statusCell.append(badge);
      if (run.attempts > 1) {  // a retried run (its worker or host died)
        statusCell.append(el("span", ` attempt ${run.attempts}/${(run.retries || 0) + 1}`));
      }
      tr.append(statusCell, el("td", when(run.created_at)), el("td", duration(run)),
        el("td", tokens(run.usage)), el("td", cost(run.usage)));
      tr.title = run.id;
      tr.addEventListener("click", () => select(run.id).catch(handle));
      return tr;
    });
    body.replaceChildren(...rows);
    $("runs-count").textContent = `(${runs.length})`;
  }

  function renderSchedules(schedules) {
    const body = $("schedules").tBodies[0];
    body.replaceChildren(...schedules.map((s) => {
      const tr = el("tr");
      tr.dataset.id = s.id;
      const badge = el("span");
      statusBadge(badge, s.status);
      const statusCell = el("td");
      statusCell.append(badge);
      if (s.paused_at) statusCell.append(el("span", " since " + when(s.paused_at), "muted"));
      const toggle = el("button", s.paused ? "Resume" : "Pause");
      toggle.type = "button";
      toggle.addEventListener("click", () => pauseSchedule(s.id, !s.paused).catch(handle));
      const actions = el("td");
      actions.append(toggle);
      tr.append(el("td", s.id), el("td", s.spell),
        el("td", s.cron ? "cron " + s.cron : "every " + (s.every || "")),
        el("td", s.origin), statusCell, el("td", when(s.last_fired_at)), actions);
      return tr;
    }));
    if (!schedules.length) {
      const tr = el("tr");
      const td = el("td", "no schedules", "muted");
      td.colSpan = 7;
      tr.append(td);
      body.append(tr);
    }
  }

  // -- one run ---------------------------------------------------------------------------
  async function select(id) {
    stopFollowing();
    selected = id;
    for (const tr of $("runs").tBodies[0].rows) {
      tr.classList.toggle("selected", tr.dataset.id === id);
    }
    const run = await api("/v1/runs/" + encodeURIComponent(id));
    if (selected !== id) return;
    renderRun(run);
    if (!FINAL.has(run.status)) {
      $("run-output").textContent = ""; // the event stream replays the output so far
      follow(id).catch((err) => {
        if (err.name !== "AbortError") handle(err);
      });
    }
  }

  function renderRun(run) {
    $("run").hidden = false;
    $("run-id").textContent = run.id;
    statusBadge($("run-status"), run.status);
    $("cancel").hidden = FINAL.has(run.status);
    const fields = [
      ["kind", run.kind], ["spell", run.spell], ["engine", run.engine],
      ["created", when(run.created_at)], ["started", when(run.started_at)],
      ["finished", when(run.finished_at)], ["duration", duration(run)],
      ["tokens", tokens(run.usage)], ["cost", cost(run.usage)],
      ["executor", run.executor], ["attempts", run.attempts], ["retries", run.retries],
    ];
    const dl = $("run-fields");
    dl.replaceChildren();
    for (const [name, value] of fields) {
      if (value === null || value === undefined || value === "") continue;
      dl.append(el("dt", name), el("dd", value));
    }
    if (run.previous_errors && run.previous_errors.length) {
      dl.append(el("dt", "failed attempts"), el("dd", run.previous_errors
        .map((e) => `${e.attempt}: ${e.kind}: ${e.message}`).join("\n")));
    }
    if (run.usage && run.usage.by_model) {
      dl.append(el("dt", "by model"), el("dd", pretty(run.usage.by_model)));
    }
    $("run-output").textContent = run.output || "";
    $("run-result").textContent = pretty(run.result);
    $("run-error-box").hidden = !run.error;
    $("run-error").textContent = run.error ? pretty(run.error) : "";
  }

  function stopFollowing() {
    if (follower) follower.abort();
    follower = null;
    $("live").hidden = true;
  }

  // Server-Sent Events over fetch (EventSource cannot send an Authorization header).
  async function follow(id) {
    const ctrl = new AbortController();
    follower = ctrl;
    const response = await fetch("/v1/runs/" + encodeURIComponent(id) + "/events", {
      headers: { ...authHeaders(), Accept: "text/event-stream" }, signal: ctrl.signal,
      cache: "no-store",
    });
    if (!response.ok) throw await failure(response);
    $("live").hidden = false;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    let finished = false;
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        let text = buffer + value;
        const hold = text.endsWith("\r") ? "\r" : ""; // maybe half of a CRLF
        if (hold) text = text.slice(0, -1);
        text = text.replace(/\r\n|\r/g, "\n");
        let end;
        while ((end = text.indexOf("\n\n")) >= 0) {
          if (dispatch(id, text.slice(0, end))) finished = true;
          text = text.slice(end + 2);
        }
        buffer = text + hold;
      }
    } finally {
      if (follower === ctrl) {
        follower = null;
        $("live").hidden = true;
      }
    }
    if (finished && selected === id) {
      renderRun(await api("/v1/runs/" + encodeURIComponent(id)));
    }
  }

  // One SSE event; true when it is the run's final status.
  function dispatch(id, block) {
    let kind = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (!line || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "event") kind = value;
      else if (field === "data") data.push(value);
    }
    if (!data.length || selected !== id) return false;
    const payload = JSON.parse(data.join("\n"));
    if (kind === "output") {
      const out = $("run-output");
      const atEnd = out.scrollTop + out.clientHeight >= out.scrollHeight - 4;
      out.append(document.createTextNode(payload.text));
      if (atEnd) out.scrollTop = out.scrollHeight;
    } else if (kind === "status") {
      statusBadge($("run-status"), payload.status);
      $("cancel").hidden = FINAL.has(payload.status);
      return FINAL.has(payload.status);
    }
    return false;
  }

  async function cancel() {
    if (!selected) return;
    await api("/v1/runs/" + encodeURIComponent(selected) + "/cancel", { method: "POST" });
    await refresh();
  }

  async function pauseSchedule(id, pause) {
    const action = pause ? ":pause" : ":resume";
    await api("/v1/schedules/" + encodeURIComponent(id) + action, { method: "POST" });
    await refresh();
  }

  async function health() {
    try {
      const response = await fetch("/v1/health", { cache: "no-store" });
      const h = await response.json();
      $("health").textContent = `${h.status} · executor ${h.executor} · database ${h.database}`;
    } catch (_) {
      $("health").textContent = "unreachable";
    }
  }

  // -- wiring ----------------------------------------------------------------------------
  document.addEventListener("DOMContentLoaded", () => {
    $("login-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const value = $("token").value.trim();
      if (!value) return;
      sessionStorage.setItem(KEY, value);
      connect();
    });
    $("logout").addEventListener("click", () => {
      sessionStorage.removeItem(KEY);
      selected = null;
      $("run").hidden = true;
      showError("");
      showLogin();
    });
    $("refresh").addEventListener("click", () => refresh().catch(handle));
    $("status-filter").addEventListener("change", () => refresh().catch(handle));
    $("cancel").addEventListener("click", () => cancel().catch(handle));
    health();
    if (token()) connect();
    else showLogin();
  });
})();
