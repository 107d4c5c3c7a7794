"""github-integration against the local HTTP server serving the GitHub REST API's answer
shapes (repos, issues, contents, errors)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from llmspell.errors import SecurityError, ValidationError

TOOL = "github-integration"
TOKEN = "ghp_TestToken0123456789abcdefABCDEF0123"

REPO = {
    "id": 1296269,
    "node_id": "MDEwOlJlcG9zaXRvcnkxMjk2MjY5",
    "name": "Hello-World",
    "full_name": "octocat/Hello-World",
    "private": False,
    "owner": {"login": "octocat", "id": 1, "type": "User"},
    "html_url": "https://github.com/octocat/Hello-World",
    "description": "This your first repo!",
    "fork": False,
    "url": "https://api.github.com/repos/octocat/Hello-World",
    "created_at": "2011-01-26T19:01:12Z",
    "updated_at": "2011-01-26T19:14:43Z",
    "pushed_at": "2011-01-26T19:06:43Z",
    "stargazers_count": 80,
    "watchers_count": 80,
    "language": "C",
    "forks_count": 9,
    "open_issues_count": 2,
    "archived": False,
    "default_branch": "master",
    "topics": ["octocat", "api"],
    "license": {"key": "mit", "name": "MIT License", "spdx_id": "MIT"},
}


def _issue(
    number: int,
    title: str,
    *,
    pr: bool = False,
    labels: list[str] | None = None,
    body: str = "It does not work.",
) -> dict[str, Any]:
    issue: dict[str, Any] = {
        "id": 1000 + number,
        "number": number,
        "title": title,
        "state": "open",
        "user": {"login": "octocat", "id": 1},
        "labels": [{"id": i, "name": n, "color": "f29513"} for i, n in enumerate(labels or [])],
        "comments": 3,
        "created_at": "2011-04-22T13:33:48Z",
        "updated_at": "2011-04-22T13:33:48Z",
        "html_url": f"https://github.com/octocat/Hello-World/issues/{number}",
        "body": body,
    }
    if pr:
        issue["pull_request"] = {"url": "https://api.github.com/repos/octocat/Hello-World/pulls/2"}
    return issue


@pytest.fixture
def gh(net_tools: Any, http_server: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("LLMSPELL_GITHUB_API_URL", http_server.base_url)
    return http_server


def test_get_repo_without_token(net_tools: Any, gh: Any) -> None:
    gh.route("GET", "/repos/octocat/Hello-World", lambda req: REPO)
    r = net_tools.ok(TOOL, operation="get_repo", repo="octocat/Hello-World")
    req = gh.last
    assert "authorization" not in req.headers
    assert req.headers["accept"] == "application/vnd.github+json"
    assert req.headers["x-github-api-version"] == "2022-11-28"
    assert r["result"]["full_name"] == "octocat/Hello-World"
    assert r["result"]["stars"] == 80 and r["result"]["license"] == "MIT"
    assert r["result"]["topics"] == ["octocat", "api"] and r["result"]["default_branch"] == "master"
    assert r["text"] == "octocat/Hello-World: This your first repo!"


def test_list_issues_with_token(net_tools: Any, gh: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    long_body = "x" * 5000
    gh.route(
        "GET",
        "/repos/octocat/Hello-World/issues",
        lambda req: [
            _issue(1347, "Found a bug", labels=["bug"], body=long_body),
            _issue(1348, "Add a feature", pr=True),
        ],
    )
    r = net_tools.ok(
        TOOL,
        operation="list_issues",
        repo="octocat/Hello-World",
        state="all",
        per_page=5,
        labels=["bug", "ui"],
    )
    req = gh.last
    assert req.headers["authorization"] == f"Bearer {TOKEN}"
    assert req.query == {"state": "all", "per_page": "5", "page": "1", "labels": "bug,ui"}
    first, second = r["result"]["issues"]
    assert first["number"] == 1347 and first["labels"] == ["bug"] and first["user"] == "octocat"
    assert len(first["body"]) == 4000 and first["body_truncated"] is True
    assert first["is_pull_request"] is False and second["is_pull_request"] is True
    assert r["text"] == "#1347 Found a bug\n#1348 Add a feature"
    assert TOKEN not in str(r)


def test_create_issue(net_tools: Any, gh: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    gh.route(
        "POST",
        "/repos/octocat/Hello-World/issues",
        lambda req: (201, {}, _issue(1349, req.json()["title"], labels=req.json()["labels"])),
    )
    r = net_tools.failed(TOOL, operation="create_issue", repo="octocat/Hello-World", title="T")
    assert r["error_kind"] == "ConfigurationError" and "GITHUB_TOKEN" in r["error"]
    assert gh.requests == []
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    r = net_tools.ok(
        TOOL,
        operation="create_issue",
        repo="octocat/Hello-World",
        title="Crash on start",
        body="Steps: ...",
        labels=["bug"],
    )
    req = gh.last
    assert req.method == "POST" and req.headers["authorization"] == f"Bearer {TOKEN}"
    assert req.json() == {"title": "Crash on start", "body": "Steps: ...", "labels": ["bug"]}
    assert r["result"]["number"] == 1349 and r["result"]["labels"] == ["bug"]
    assert r["text"] == "Created #1349: https://github.com/octocat/Hello-World/issues/1349"
    assert TOKEN not in str(r)
    r = net_tools.failed(TOOL, operation="create_issue", repo="octocat/Hello-World", title=" ")
    assert r["error_kind"] == "ValidationError"


def test_get_file_text_binary_dir_and_large(net_tools: Any, gh: Any) -> None:
    readme = "# Hello World\n\nNon-ASCII: café ✓\n"

    def contents(req: Any) -> Any:
        path = req.path.removeprefix("/repos/octocat/Hello-World/contents/")
        if path == "README.md":
            encoded = base64.encodebytes(readme.encode()).decode()  # GitHub wraps at 60/76
            return {
                "type": "file",
                "encoding": "base64",
                "size": len(readme.encode()),
                "name": "README.md",
                "path": "README.md",
                "content": encoded,
                "sha": "3d21ec53a331a6f037a91c368710b99387d012c1",
                "html_url": "https://github.com/octocat/Hello-World/blob/master/README.md",
            }
        if path == "logo.png":
            return {
                "type": "file",
                "encoding": "base64",
                "name": "logo.png",
                "path": "logo.png",
                "content": base64.b64encode(b"\x89PNG\r\n\x1a\n\x00\xff").decode(),
                "sha": "a" * 40,
                "size": 10,
            }
        if path == "docs":
            return [
                {"type": "file", "name": "a.md", "path": "docs/a.md", "size": 5},
                {"type": "dir", "name": "img", "path": "docs/img", "size": 0},
            ]
        if path == "big.txt":
            if req.headers.get("accept") == "application/vnd.github.raw":
                return (200, {"Content-Type": "application/vnd.github.raw"}, b"big " * 10)
            return {
                "type": "file",
                "encoding": "none",
                "content": "",
                "name": "big.txt",
                "path": "big.txt",
                "size": 2_000_000,
                "sha": "b" * 40,
            }
        if path == "dir%20with%20space/f.txt":
            return {
                "type": "file",
                "encoding": "base64",
                "content": "aGk=",
                "path": "x",
                "name": "f.txt",
            }
        return (
            404,
            {},
            {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"},
        )

    gh.route("GET", "/repos/octocat/Hello-World/contents/*", contents)
    r = net_tools.ok(
        TOOL, operation="get_file", repo="octocat/Hello-World", path="README.md", ref="main"
    )
    assert gh.last.query == {"ref": "main"}
    assert r["text"] == readme and r["result"]["encoding"] == "utf-8"
    assert r["result"]["size"] == len(readme.encode())
    r = net_tools.ok(TOOL, operation="get_file", repo="octocat/Hello-World", path="logo.png")
    assert r["result"]["encoding"] == "base64" and "text" not in r
    assert base64.b64decode(r["result"]["content"]).startswith(b"\x89PNG")
    r = net_tools.ok(TOOL, operation="get_file", repo="octocat/Hello-World", path="docs")
    assert r["result"]["type"] == "dir" and [e["path"] for e in r["result"]["entries"]] == [
        "docs/a.md",
        "docs/img",
    ]
    r = net_tools.ok(TOOL, operation="get_file", repo="octocat/Hello-World", path="big.txt")
    assert r["text"] == "big " * 10
    r = net_tools.ok(
        TOOL, operation="get_file", repo="octocat/Hello-World", path="dir with space/f.txt"
    )
    assert r["text"] == "hi"
    r = net_tools.failed(TOOL, operation="get_file", repo="octocat/Hello-World", path="nope.md")
    assert r["error_kind"] == "NotFoundError" and "GITHUB_TOKEN" in r["error"]


def test_errors(net_tools: Any, gh: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    answers = {
        "/repos/o/unauth": (401, {}, {"message": "Bad credentials"}),
        "/repos/o/limited": (
            403,
            {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1718000000"},
            {"message": "API rate limit exceeded"},
        ),
        "/repos/o/forbidden": (403, {}, {"message": "Resource not accessible by integration"}),
        "/repos/o/invalid/issues": (
            422,
            {},
            {
                "message": "Validation Failed",
                "errors": [
                    {
                        "resource": "Issue",
                        "code": "invalid",
                        "field": "labels",
                        "message": "label 'nope' does not exist",
                    }
                ],
            },
        ),
        "/repos/o/broken": (500, {}, "internal error"),
    }
    gh.route("*", "/repos/o/*", lambda req: answers[req.path])
    cases = [
        ("get_repo", "o/unauth", "AuthenticationError", "Bad credentials"),
        ("get_repo", "o/limited", "RateLimitError", "resets at epoch 1718000000"),
        ("get_repo", "o/forbidden", "AuthenticationError", "not accessible"),
        ("get_repo", "o/broken", "ToolError", "500"),
    ]
    for op, repo, kind, words in cases:
        r = net_tools.failed(TOOL, operation=op, repo=repo)
        assert r["error_kind"] == kind and words in r["error"], r
        assert TOKEN not in str(r)
    r = net_tools.failed(
        TOOL, operation="create_issue", repo="o/invalid", title="t", labels=["nope"]
    )
    assert r["error_kind"] == "ValidationError" and "label 'nope' does not exist" in r["error"]


def test_bad_input(net_tools: Any, gh: Any) -> None:
    for repo in ("octocat", "octocat/", "a/b/c", "../etc", "octocat/..", "-bad/x", "o/x?y"):
        r = net_tools.failed(TOOL, operation="get_repo", repo=repo)
        assert r["error_kind"] == "ValidationError" and "owner/name" in r["error"]
    for path in ("../secrets", "a/../../b", "a//b", ""):
        r = net_tools.failed(TOOL, operation="get_file", repo="o/r", path=path)
        assert r["error_kind"] == "ValidationError"
    assert gh.requests == []
    with pytest.raises(ValidationError, match="parameter 'state'"):
        net_tools(TOOL, operation="list_issues", repo="o/r", state="merged")
    with pytest.raises(ValidationError, match="per_page"):
        net_tools(TOOL, operation="list_issues", repo="o/r", per_page=500)


def test_network_off_and_config(tools: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LLMSPELL_GITHUB_API_URL", raising=False)
    with pytest.raises(SecurityError, match=r"network access is not allowed .*api\.github\.com"):
        tools(TOOL, operation="get_repo", repo="octocat/Hello-World")
    tools.runtime.settings.tools[TOOL] = {"api_url": 5}
    r = tools.failed(TOOL, operation="get_repo", repo="octocat/Hello-World")
    assert r["error_kind"] == "ConfigurationError" and "api_url" in r["error"]
