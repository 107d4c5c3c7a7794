"""web-searcher: search the web through DuckDuckGo (no key), Brave, Tavily, SerpApi or
Serper (keys from the environment, sent only to the provider's URL from the environment or
the config, never to a redirect's target); network policy applies. Results are normalised to
``{title, url, snippet}``; the API key never appears in results or errors."""

from __future__ import annotations

import os
from typing import Any

from llmspell.tools import Tool, ToolOutput
from llmspell_tools._support import fail, output
from llmspell_tools.search import _duckduckgo, _providers

DEFAULT_PROVIDER = "duckduckgo"
MAX_RESULTS = 50
_CONFIG = "[tools.web-searcher]"


def _config(ctx: Any) -> dict[str, Any]:
    tables = getattr(ctx.settings, "tools", None) or {}
    table = tables.get("web-searcher") or {}
    return table if isinstance(table, dict) else {}


def _provider(params: dict[str, Any], config: dict[str, Any]) -> _providers.Provider:
    name = params.get("provider") or config.get("provider") or DEFAULT_PROVIDER
    provider = _providers.PROVIDERS.get(str(name).lower())
    if provider is None:
        known = ", ".join(_providers.PROVIDERS)
        fail(f"{_CONFIG} provider = {name!r} is not a known provider ({known})",
             kind="ConfigurationError")  # fmt: skip
    return provider


def _endpoint(provider: _providers.Provider, config: dict[str, Any]) -> str:
    """The provider's URL: ``LLMSPELL_SEARCH_<PROVIDER>_URL``, else
    ``[tools.web-searcher] <provider>_url``, else the public endpoint."""
    env = f"LLMSPELL_SEARCH_{provider.name.upper()}_URL"
    url = os.environ.get(env) or config.get(f"{provider.name}_url") or provider.url
    if not isinstance(url, str):
        fail(f"{_CONFIG} {provider.name}_url must be a string", kind="ConfigurationError")
    return url


def _key(provider: _providers.Provider) -> str | None:
    if provider.env_key is None:
        return None
    key = os.environ.get(provider.env_key, "").strip()
    if not key:
        fail(
            f"the {provider.name} search provider needs an API key: set the environment "
            f"variable {provider.env_key} (or use provider 'duckduckgo', which needs none)",
            kind="ConfigurationError",
        )
    return key


def _check_status(provider: _providers.Provider, result: Any, secrets: list[str]) -> None:
    from llmspell_tools import _http

    status = result.status
    if status < 400:
        return
    payload: Any = None
    if result.is_json:
        try:
            payload = result.json()
        except Exception:
            payload = None
    detail = _providers.error_detail(payload) or result.text()[:200].strip() or "no detail"
    detail = _http.mask_secrets(" ".join(detail.split()), secrets)
    if status in (401, 403) or (provider.name == "brave" and status == 422 and "token" in detail):
        fail(
            f"{provider.name} rejected the API key in {provider.env_key} (HTTP {status}: "
            f"{detail}); check the key",
            kind="AuthenticationError",
        )
    if status == 429:
        fail(f"{provider.name} is rate-limiting requests (HTTP 429: {detail}); retry later",
             kind="RateLimitError")  # fmt: skip
    fail(f"{provider.name} search failed with HTTP {status}: {detail}")


async def run(params: dict[str, Any], ctx: Any) -> ToolOutput:
    """Search ``input`` with the chosen provider."""
    from llmspell_tools import _http  # the HTTP client loads when a search runs

    config = _config(ctx)
    provider = _provider(params, config)
    url = _endpoint(provider, config)
    key = _key(provider)
    secrets = [key] if key else []
    query = params["input"]
    wanted = params.get("max_results", 10)
    if params.get("search_type", "web") != "web":
        fail(
            f"search_type {params['search_type']!r} is not available: web-searcher searches "
            "the web (search_type = \"web\"); add words such as 'news' to the query",
            kind="ValidationError",
        )
    req = _providers.build_request(provider.name, query, min(wanted, provider.cap), key)
    req = _providers.apply_options(
        req, provider.name, params.get("language"), params.get("safe_search")
    )
    timeout = params.get("timeout_ms")
    result = await _http.request(
        ctx,
        req.method,
        url,
        headers=req.headers,
        params=req.params,
        json=req.json,
        data=req.data,
        timeout_s=timeout / 1000 if timeout is not None else None,
        retries=1,
        # a key travels in headers, the query or the body, which a redirect to another
        # server would carry along: keyed providers are never followed
        follow_redirects=key is None,
        secrets=secrets,
    )
    if key is not None and 300 <= result.status < 400:
        fail(
            f"{provider.name} answered HTTP {result.status} (a redirect), which is not "
            f"followed: the request carries the key in {provider.env_key}; set "
            f"LLMSPELL_SEARCH_{provider.name.upper()}_URL (or {_CONFIG} "
            f"{provider.name}_url) to the final URL",
            kind="SecurityError",
        )
    _check_status(provider, result, secrets)
    if provider.name == "duckduckgo":
        found = _duckduckgo.parse_results(result.body, result.url)
    else:
        found = _providers.normalize(provider.name, result.json())
    results = [
        {k: _http.mask_secrets(v, secrets) for k, v in entry.items()} for entry in found[:wanted]
    ]
    lines = [f"{i}. {r['title']} — {r['url']}" for i, r in enumerate(results, 1)]
    text = "\n".join(lines) if lines else f"no results for {query!r}"
    return output(
        {"results": results, "count": len(results), "provider": provider.name, "query": query},
        text=text,
        provider=provider.name,
    )


TOOL = Tool(
    name="web-searcher",
    description="Search the web; result.results is a list of {title, url, snippet}. "
    "provider: duckduckgo (default, no key), brave (BRAVE_API_KEY), tavily "
    "(TAVILY_API_KEY), serpapi (SERPAPI_API_KEY) or serperdev (SERPER_API_KEY); "
    "max_results default 10, at most 50. Needs network access ([security] allow_network).",
    category="search",
    handler=run,
    timeout_seconds=120,
    security=("network",),
    settings={
        "provider": {
            "type": "string",
            "default": DEFAULT_PROVIDER,
            "description": "duckduckgo, brave, tavily, serpapi or serperdev",
        },
        "duckduckgo_url": {"type": "string", "description": "the duckduckgo endpoint URL"},
        "brave_url": {"type": "string", "description": "the brave endpoint URL"},
        "tavily_url": {"type": "string", "description": "the tavily endpoint URL"},
        "serpapi_url": {"type": "string", "description": "the serpapi endpoint URL"},
        "serperdev_url": {"type": "string", "description": "the serperdev endpoint URL"},
    },
    tags=("search", "web", "duckduckgo", "brave", "tavily", "serpapi", "serper", "network"),
    parameters={
        "type": "object",
        "properties": {
            "input": {
                "type": "string",
                "minLength": 1,
                "maxLength": 2000,
                "description": "the search query",
            },
            "provider": {
                "type": "string",
                "enum": list(_providers.PROVIDERS),
                "description": "default: [tools.web-searcher] provider, else duckduckgo",
            },
            "max_results": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_RESULTS,
                "default": 10,
                "description": "how many results (brave and tavily give at most 20, "
                "duckduckgo its first page)",
            },
            "timeout_ms": {
                "type": "integer",
                "minimum": 1,
                "maximum": 120_000,
                "description": "request timeout in ms (default: [security] "
                "network_timeout_seconds)",
            },
            "search_type": {
                "type": "string",
                "default": "web",
                "description": "rs-llmspell's search type; only web",
            },
            "safe_search": {
                "anyOf": [
                    {"type": "boolean"},
                    {"type": "string", "enum": ["strict", "moderate", "off"]},
                ],
                "description": "safe search (providers that have it: duckduckgo, brave, serpapi)",
            },
            "language": {
                "type": "string",
                "maxLength": 20,
                "description": "result language, e.g. en (brave, serpapi, serperdev) or a "
                "DuckDuckGo region such as us-en",
            },
        },
        "required": ["input"],
        "additionalProperties": False,
    },
)
