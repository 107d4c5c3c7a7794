"""The dashboard (``GET /``) in a real headless Chromium driven by Selenium, against a
real ``llmspell serve``. Needs Debian's ``chromium`` and ``chromium-driver``
(``.ci/install-browser``); skipped without them unless LLMSPELL_REQUIRE_BROWSER=1."""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.serve.conftest import TOKEN, Server, start, stop, wait_final, write_config

# read at import: the session fixture of the root conftest.py clears LLMSPELL_* variables
REQUIRE_BROWSER = os.environ.get("LLMSPELL_REQUIRE_BROWSER") == "1"
CHROMEDRIVER = os.environ.get("LLMSPELL_TEST_CHROMEDRIVER")
CHROMIUM = os.environ.get("LLMSPELL_TEST_CHROMIUM")
BUSY = "local t = os.clock() while os.clock() - t < {s} do end"
XSS = "<img src=x onerror=alert(1)>"


def _browser_paths() -> tuple[str, str] | str:
    """(chromedriver, chromium) or why they cannot be used."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (it is in the dev dependency group)"
    driver = CHROMEDRIVER or shutil.which("chromedriver")
    browser = CHROMIUM or next(
        (p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None
    )
    if not driver or not Path(driver).is_file():
        return "no chromedriver (apt-get install chromium-driver, or run .ci/install-browser)"
    if not browser or not Path(browser).is_file():
        return "no chromium (apt-get install chromium, or run .ci/install-browser)"
    return driver, browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    paths = _browser_paths()
    if isinstance(paths, str):
        if REQUIRE_BROWSER:
            pytest.fail(f"LLMSPELL_REQUIRE_BROWSER=1 but {paths}")
        pytest.skip(paths)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = paths[1]
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-first-run", "--disable-extensions", "--window-size=1280,1000"):  # fmt: skip
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=paths[0]), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("dashboard")
    spells = root / "spells"
    spells.mkdir()
    (spells / "hello.lua").write_text('print("hello " .. (ARGS[1] or "world"))\nreturn 42\n')
    config = write_config(root / "llmspell.toml", spells)
    proc, line = start("serve", root / "home", config, wait_for="llmspell serve: http")
    url = re.search(r"(http://\S+) ", line)
    assert url
    yield Server(url.group(1), proc, root / "home", spells)
    stop(proc)


def wait_until(check: Callable[[], Any], timeout: float = 20, what: str = "") -> Any:
    """Poll ``check`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what or check}")


def open_page(driver: Any, url: str, token: str | None = TOKEN) -> None:
    """Load the dashboard with a fresh tab state and, with ``token``, log in."""
    from selenium.webdriver.common.by import By

    driver.get(url + "/")
    driver.execute_script("sessionStorage.clear()")
    driver.get(url + "/")
    login = driver.find_element(By.ID, "login")
    wait_until(login.is_displayed, what="the token form")
    assert not driver.find_element(By.ID, "main").is_displayed()
    if token is not None:
        driver.find_element(By.ID, "token").send_keys(token)
        driver.find_element(By.CSS_SELECTOR, "#login-form button").click()


def row(driver: Any, run_id: str) -> Any:
    """The run's row in the runs table (None until it is listed)."""
    from selenium.webdriver.common.by import By

    rows = driver.find_elements(By.CSS_SELECTOR, f'#runs tbody tr[data-id="{run_id}"]')
    return rows[0] if rows else None


def text_of(driver: Any, element_id: str) -> str:
    """An element's text content exactly (whitespace kept, hidden or not)."""
    return str(driver.execute_script(f"return document.getElementById('{element_id}').textContent"))


def test_page_is_served_with_a_strict_csp(service: Server) -> None:
    with httpx.Client(base_url=service.url) as c:  # no token: the page holds no data
        page = c.get("/")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        csp = page.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert page.headers["x-content-type-options"] == "nosniff"
        # no inline code or style the CSP would have to allow
        assert not re.search(r"<script(?![^>]*\bsrc=)", page.text)
        assert not re.search(r"<[^>]*\s(style|on[a-z]+)=", page.text, re.IGNORECASE)
        js = c.get("/static/dashboard.js")
        assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
        assert "innerHTML" not in js.text
        missing = c.get("/static/../api.py")
        assert missing.status_code == 404
        bad = c.get("/static/nope.js")
        assert bad.status_code == 404 and bad.json()["error"]["kind"] == "NotFoundError"
        assert "/" not in c.get("/openapi.json").json()["paths"]
        # the data still needs the token
        assert c.get("/v1/runs").status_code == 401


def test_asks_for_the_token_lists_runs_and_shows_output(browser: Any, service: Server) -> None:
    from selenium.webdriver.common.by import By

    with service.client() as c:
        run_id = c.post("/v1/runs", json={"spell": "hello.lua", "args": ["dashboard"]}).json()["id"]
        wait_final(c, run_id)
    open_page(browser, service.url)
    wait_until(lambda: row(browser, run_id), what="the run's row")
    assert browser.find_element(By.ID, "main").is_displayed()
    assert not browser.find_element(By.ID, "login").is_displayed()
    cells = [td.text for td in row(browser, run_id).find_elements(By.TAG_NAME, "td")]
    assert cells[1:4] == ["spell", "hello.lua", "succeeded"]
    assert browser.execute_script("return sessionStorage.getItem('llmspell.serve.token')") == TOKEN
    row(browser, run_id).click()
    wait_until(lambda: text_of(browser, "run-id") == run_id, what="the run's detail")
    wait_until(lambda: text_of(browser, "run-output") == "hello dashboard\n", what="the output")
    assert text_of(browser, "run-result") == "42"
    assert text_of(browser, "run-status") == "succeeded"
    assert "executor" in text_of(browser, "run-fields")
    assert not browser.find_element(By.ID, "cancel").is_displayed()
    # the page broke no rule of its own CSP (no inline script or style, nothing external)
    logs = browser.get_log("browser")
    assert not [e for e in logs if "Content Security Policy" in e["message"]], logs


def test_a_running_runs_output_updates_live(browser: Any, service: Server) -> None:
    from selenium.webdriver.common.by import By

    src = 'for i = 1, 4 do print("line " .. i) ' + BUSY.format(s=0.7) + " end"
    open_page(browser, service.url)
    wait_until(lambda: browser.find_element(By.ID, "main").is_displayed(), what="the runs")
    with service.client() as c:
        run_id = c.post("/v1/runs", json={"source": src, "engine": "lua"}).json()["id"]
        wait_until(lambda: row(browser, run_id), what="the new run listed")
        wait_until(lambda: c.get(f"/v1/runs/{run_id}").json()["status"] == "running")
        row(browser, run_id).click()
        # line 1 is shown while the run is still going: later lines are not out yet
        early = wait_until(lambda: "line 1\n" in (t := text_of(browser, "run-output")) and t)
        assert "line 4" not in early
        assert text_of(browser, "run-status") == "running"
        assert browser.find_element(By.ID, "live").is_displayed()
        assert browser.find_element(By.ID, "cancel").is_displayed()
        # the rest arrives without reloading or clicking
        wait_until(lambda: text_of(browser, "run-output") == "line 1\nline 2\nline 3\nline 4\n",
                   timeout=30, what="all four lines")  # fmt: skip
        wait_until(lambda: text_of(browser, "run-status") == "succeeded", what="final status")
        assert wait_final(c, run_id)["output"] == text_of(browser, "run-output")
    wait_until(lambda: not browser.find_element(By.ID, "live").is_displayed())


def test_markup_in_output_is_shown_as_text(browser: Any, service: Server) -> None:
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    src = (
        f'print("{XSS}") ' + BUSY.format(s=1.0)
        + ' print("<script>document.title = \'pwned\'</script>") '
        + f'return "{XSS}"'
    )  # fmt: skip
    open_page(browser, service.url)
    wait_until(lambda: browser.find_element(By.ID, "main").is_displayed(), what="the runs")
    with service.client() as c:
        run_id = c.post("/v1/runs", json={"source": src, "engine": "lua"}).json()["id"]
        wait_until(lambda: row(browser, run_id), what="the new run listed")
        row(browser, run_id).click()
        # live (text nodes from the event stream), then final (the run's record)
        wait_until(lambda: text_of(browser, "run-output").startswith(XSS + "\n"), what="live")
        wait_until(lambda: text_of(browser, "run-result") == XSS, timeout=30, what="final")
    assert text_of(browser, "run-output") == f"{XSS}\n<script>document.title = 'pwned'</script>\n"
    assert browser.find_element(By.ID, "run-output").text.startswith(XSS)
    assert browser.find_elements(By.TAG_NAME, "img") == []
    assert browser.find_elements(By.CSS_SELECTOR, "#run script, #run-output *") == []
    assert browser.title == "llmspell service"
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018


def test_a_wrong_token_shows_an_error(browser: Any, service: Server) -> None:
    from selenium.webdriver.common.by import By

    open_page(browser, service.url, token="not-the-token")
    error = browser.find_element(By.ID, "error")
    wait_until(error.is_displayed, what="the error")
    assert "refused the token" in error.text and "PermissionError" in error.text
    assert browser.find_element(By.ID, "login").is_displayed()
    assert not browser.find_element(By.ID, "main").is_displayed()
    assert browser.execute_script("return sessionStorage.getItem('llmspell.serve.token')") is None
    assert not browser.find_elements(By.CSS_SELECTOR, "#runs tbody tr")
    # then the right one works, and the error goes away
    browser.find_element(By.ID, "token").send_keys(TOKEN)
    browser.find_element(By.CSS_SELECTOR, "#login-form button").click()
    wait_until(lambda: browser.find_element(By.ID, "main").is_displayed(), what="the runs")
    assert not error.is_displayed()


def test_schedules_are_listed(browser: Any, service: Server) -> None:
    from selenium.webdriver.common.by import By

    with service.client() as c:
        r = c.post("/v1/schedules", json={"spell": "hello.lua", "cron": "0 3 * * *",
                                          "name": "nightly"})  # fmt: skip
        assert r.status_code == 201, r.text
        sched_id = r.json()["id"]
        r = c.post("/v1/schedules", json={"spell": "hello.lua", "every": "1s", "name": "ticker"})
        assert r.status_code == 201, r.text
    try:
        open_page(browser, service.url)
        sel = f'#schedules tbody tr[data-id="{sched_id}"]'
        found = wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, sel), what="schedule")
        cells = [td.text for td in found[0].find_elements(By.TAG_NAME, "td")]
        assert cells[:3] == [sched_id, "hello.lua", "cron 0 3 * * *"]

        def ticker() -> list[str]:  # read at once: the table is redrawn every 2 s
            return list(browser.execute_script(
                "return Array.from(document.querySelectorAll("
                "'#schedules tr[data-id=\"ticker\"] td')).map(td => td.textContent)"
            )) or [""] * 7  # fmt: skip

        def click(selector: str) -> None:
            from selenium.common.exceptions import StaleElementReferenceException

            for _ in range(20):
                try:
                    browser.find_element(By.CSS_SELECTOR, selector).click()
                    return
                except StaleElementReferenceException:  # redrawn between find and click
                    time.sleep(0.05)
            raise AssertionError(f"cannot click {selector}")

        # a fired schedule's last tick (an ISO time in the API) is shown as a time
        wait_until(lambda: re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", ticker()[5]),
                   what="the last tick")  # fmt: skip
        # pause, then resume, with the row's button
        button = '#schedules tr[data-id="ticker"] button'
        assert ticker()[4] == "active" and ticker()[6] == "Pause"
        click(button)
        wait_until(lambda: ticker()[4].startswith("paused since "), what="paused")
        assert ticker()[6] == "Resume"
        with service.client() as c:
            listed = {s["id"]: s for s in c.get("/v1/schedules").json()["schedules"]}
            assert listed["ticker"]["paused"] is True and listed[sched_id]["paused"] is False
        click(button)
        wait_until(lambda: ticker()[4] == "active" and ticker()[6] == "Pause", what="resumed")
        with service.client() as c:
            listed = {s["id"]: s for s in c.get("/v1/schedules").json()["schedules"]}
            assert listed["ticker"]["paused"] is False
    finally:
        with service.client() as c:
            c.delete(f"/v1/schedules/{sched_id}")
            c.delete("/v1/schedules/ticker")
