"""github-integration: read a repository, its issues and files, or open an issue (REST API).

GITHUB_TOKEN (or ``[tools.github-integration] token``) is optional for public reads and
required for create_issue; it is never shown. The API base is LLMSPELL_GITHUB_API_URL,
``[tools.github-integration] api_url`` or https://api.github.com (GitHub Enterprise:
``https://HOST/api/v3``).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from typing import Any, NoReturn
from urllib.parse import quote

from llmspell.tools import Tool, ToolFailure
from llmspell_tools._http import HttpResult, request
from llmspell_tools._support import fail, output
from llmspell_tools.communication._settings import pick, tool_config

NAME = "github-integration"
DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
MAX_ISSUE_BODY = 4000  # characters of each issue body kept in list_issues
CONFIG_KEYS: dict[str, type | tuple[type, ...]] = {"api_url": str, "token": str}
_REPO = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")


def _repo(params: dict[str, Any]) -> str:
    repo = params.get("repo")
    if not repo or not _REPO.match(repo) or repo.split("/")[1] in (".", ".."):
        fail(
            f"'repo' must be 'owner/name' (e.g. octocat/Hello-World); got {repo!r}",
            kind="ValidationError",
        )
    return str(repo)


class GitHub:
    """One call's connection details: base URL, token, context."""

    def __init__(self, ctx: Any, base: str, token: str | None) -> None:
        self.ctx, self.base, self.token = ctx, base.rstrip("/"), token

    def headers(self, accept: str = "application/vnd.github+json") -> dict[str, str]:
        out = {"Accept": accept, "X-GitHub-Api-Version": API_VERSION}
        if self.token:
            out["Authorization"] = f"Bearer {self.token}"
        return out

    async def call(
        self,
        method: str,
        path: str,
        *,
        what: str,
        params: dict[str, Any] | None = None,
        json: Any = None,
        accept: str = "application/vnd.github+json",
    ) -> HttpResult:
        result = await request(
            self.ctx,
            method,
            self.base + path,
            headers=self.headers(accept),
            params=params,
            json=json,
            retries=2 if method == "GET" else 0,
            secrets=[self.token] if self.token else [],
        )
        if result.status >= 400:
            self.fail(result, what)
        return result

    def fail(self, result: HttpResult, what: str) -> NoReturn:
        """A clear failure for an error answer."""
        message = ""
        try:
            data = result.json()
        except ToolFailure:  # not JSON: the status alone tells
            data = None
        if isinstance(data, dict):
            message = str(data.get("message") or "")
            details = [
                e.get("message") or f"{e.get('field')} {e.get('code')}"
                for e in data.get("errors") or []
                if isinstance(e, dict)
            ]
            if details:
                message += ": " + "; ".join(str(d) for d in details)
        if self.token:
            message = message.replace(self.token, "***")
        status = result.status
        said = f" ({message})" if message else ""
        if status == 401:
            fail(f"GitHub rejected the token{said}; check GITHUB_TOKEN", kind="AuthenticationError")
        remaining = result.headers.get("x-ratelimit-remaining")
        if status == 429 or (status == 403 and remaining == "0"):
            reset = result.headers.get("x-ratelimit-reset", "?")
            hint = "" if self.token else "; set GITHUB_TOKEN for a higher limit"
            fail(
                f"GitHub rate limit reached {what} (resets at epoch {reset}){hint}",
                kind="RateLimitError",
            )
        if status == 403:
            fail(
                f"GitHub refused {what}{said}; the token may lack the permission",
                kind="AuthenticationError",
            )
        if status == 404:
            private = "" if self.token else " (a private repository needs GITHUB_TOKEN)"
            fail(f"GitHub: not found: {what}{private}", kind="NotFoundError")
        if status == 422:
            fail(f"GitHub refused {what}{said}", kind="ValidationError")
        fail(f"GitHub answered {status} {what}{said}")


def _repo_info(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "full_name": d.get("full_name"),
        "description": d.get("description"),
        "html_url": d.get("html_url"),
        "default_branch": d.get("default_branch"),
        "private": d.get("private"),
        "archived": d.get("archived"),
        "fork": d.get("fork"),
        "language": d.get("language"),
        "topics": d.get("topics") or [],
        "license": (d.get("license") or {}).get("spdx_id"),
        "stars": d.get("stargazers_count"),
        "forks": d.get("forks_count"),
        "open_issues": d.get("open_issues_count"),
        "created_at": d.get("created_at"),
        "updated_at": d.get("updated_at"),
        "pushed_at": d.get("pushed_at"),
    }


def _issue(d: dict[str, Any]) -> dict[str, Any]:
    body = d.get("body") or ""
    return {
        "number": d.get("number"),
        "title": d.get("title"),
        "state": d.get("state"),
        "user": (d.get("user") or {}).get("login"),
        "labels": [lb.get("name") if isinstance(lb, dict) else lb for lb in d.get("labels") or []],
        "comments": d.get("comments"),
        "created_at": d.get("created_at"),
        "updated_at": d.get("updated_at"),
        "html_url": d.get("html_url"),
        "is_pull_request": "pull_request" in d,
        "body": body[:MAX_ISSUE_BODY],
        "body_truncated": len(body) > MAX_ISSUE_BODY,
    }


async def _get_repo(params: dict[str, Any], gh: GitHub) -> Any:
    repo = _repo(params)
    data = (await gh.call("GET", f"/repos/{repo}", what=f"repository {repo}")).json()
    info = _repo_info(data)
    return output(info, text=f"{info['full_name']}: {info['description'] or ''}".rstrip(": "))


async def _list_issues(params: dict[str, Any], gh: GitHub) -> Any:
    repo = _repo(params)
    query: dict[str, Any] = {
        "state": params.get("state", "open"),
        "per_page": params.get("per_page", 30),
        "page": params.get("page", 1),
    }
    if params.get("labels"):
        query["labels"] = ",".join(params["labels"])
    data = (
        await gh.call("GET", f"/repos/{repo}/issues", what=f"issues of {repo}", params=query)
    ).json()
    if not isinstance(data, list):
        fail(f"GitHub: unexpected answer for the issues of {repo} (not a list)")
    issues = [_issue(d) for d in data if isinstance(d, dict)]
    lines = [f"#{i['number']} {i['title']}" for i in issues]
    return output({"issues": issues, "count": len(issues)}, text="\n".join(lines) or "no issues")


async def _create_issue(params: dict[str, Any], gh: GitHub) -> Any:
    repo = _repo(params)
    if not gh.token:
        fail(
            "create_issue needs a token: set GITHUB_TOKEN (with the issues: write "
            "permission) or [tools.github-integration] token",
            kind="ConfigurationError",
        )
    title = params.get("title")
    if not title or not title.strip():
        fail("create_issue needs 'title'", kind="ValidationError")
    body: dict[str, Any] = {"title": title}
    for key in ("body", "labels", "assignees"):
        if params.get(key):
            body[key] = params[key]
    data = (
        await gh.call(
            "POST", f"/repos/{repo}/issues", what=f"creating an issue in {repo}", json=body
        )
    ).json()
    issue = _issue(data)
    return output(issue, text=f"Created #{issue['number']}: {issue['html_url']}")


def _file_path(params: dict[str, Any]) -> str:
    path = params.get("path")
    if not path:
        fail("get_file needs 'path' (a file in the repository)", kind="ValidationError")
    segments = path.strip("/").split("/")
    if any(s in ("", ".", "..") for s in segments):
        fail(
            f"'path' {path!r} must be a plain repository path (no '.', '..' or '//')",
            kind="ValidationError",
        )
    return "/".join(quote(s, safe="") for s in segments)


def _decode(raw: bytes) -> dict[str, Any]:
    """The file as UTF-8 text, or as base64 when it is not text."""
    try:
        return {"content": raw.decode("utf-8"), "encoding": "utf-8"}
    except UnicodeDecodeError:
        return {"content": base64.b64encode(raw).decode("ascii"), "encoding": "base64"}


async def _get_file(params: dict[str, Any], gh: GitHub) -> Any:
    repo = _repo(params)
    path = _file_path(params)
    query = {"ref": params["ref"]} if params.get("ref") else None
    what = f"{path} in {repo}" + (f" at {params['ref']}" if params.get("ref") else "")
    data = (await gh.call("GET", f"/repos/{repo}/contents/{path}", what=what, params=query)).json()
    if isinstance(data, list):
        entries = [
            {
                "name": e.get("name"),
                "path": e.get("path"),
                "type": e.get("type"),
                "size": e.get("size"),
            }
            for e in data
            if isinstance(e, dict)
        ]
        return output(
            {"type": "dir", "path": path, "entries": entries},
            text="\n".join(str(e["path"]) for e in entries),
        )
    if not isinstance(data, dict) or data.get("type") != "file":
        kind = data.get("type") if isinstance(data, dict) else type(data).__name__
        fail(f"GitHub: {what} is a {kind}, not a file")
    if data.get("encoding") == "base64" and data.get("content") is not None:
        try:
            raw = base64.b64decode(str(data["content"]), validate=False)
        except (binascii.Error, ValueError):
            fail(f"GitHub: the content of {what} is not valid base64")
    else:  # files over 1 MB come without content: fetch them raw
        raw = (
            await gh.call(
                "GET",
                f"/repos/{repo}/contents/{path}",
                what=what,
                params=query,
                accept="application/vnd.github.raw",
            )
        ).body
    decoded = _decode(raw)
    result = {
        "path": data.get("path"),
        "name": data.get("name"),
        "sha": data.get("sha"),
        "size": len(raw),
        "html_url": data.get("html_url"),
        "type": "file",
        **decoded,
    }
    text = decoded["content"] if decoded["encoding"] == "utf-8" else None
    return output(result, text=text)


async def run(params: dict[str, Any], ctx: Any) -> Any:
    """Run the GitHub operation."""
    config = tool_config(ctx, NAME, CONFIG_KEYS)
    token = os.environ.get("GITHUB_TOKEN") or config.get("token") or None
    base = str(pick({}, config, "api_url", "LLMSPELL_GITHUB_API_URL", DEFAULT_API_URL))
    operations = {
        "get_repo": _get_repo,
        "list_issues": _list_issues,
        "create_issue": _create_issue,
        "get_file": _get_file,
    }
    return await operations[params["operation"]](params, GitHub(ctx, base, token))


TOOL = Tool(
    name=NAME,
    description="GitHub REST API: get_repo (repo), list_issues (repo, state, per_page, "
    "labels), create_issue (repo, title, body, labels; needs GITHUB_TOKEN), get_file "
    "(repo, path, ref; decoded text). GITHUB_TOKEN optional for public reads. Needs network "
    "access.",
    category="communication",
    handler=run,
    timeout_seconds=60,
    security=("network",),
    settings={
        "api_url": {
            "type": "string",
            "description": "the GitHub API URL (default https://api.github.com)",
        },
        "token": {"type": "string", "description": "the access token (prefer GITHUB_TOKEN)"},
    },
    tags=("github", "git", "issues", "repository"),
    parameters={
        "type": "object",
        "properties": {
            "operation": {
                "type": "string",
                "enum": ["get_repo", "list_issues", "create_issue", "get_file"],
            },
            "repo": {"type": "string", "description": "owner/name"},
            "state": {"type": "string", "enum": ["open", "closed", "all"], "default": "open"},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100, "default": 30},
            "page": {"type": "integer", "minimum": 1, "default": 1},
            "labels": {"type": "array", "items": {"type": "string"}},
            "title": {"type": "string", "description": "create_issue: the title"},
            "body": {"type": "string", "description": "create_issue: the text (Markdown)"},
            "assignees": {"type": "array", "items": {"type": "string"}},
            "path": {"type": "string", "description": "get_file: path in the repository"},
            "ref": {"type": "string", "description": "get_file: branch, tag or commit"},
        },
        "required": ["operation", "repo"],
        "additionalProperties": False,
    },
)
