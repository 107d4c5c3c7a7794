"""A scripted OpenAI-compatible server on 127.0.0.1 for end-to-end tests of what the
CLI shows while agents work: each request takes the next scripted reply (a delay, a
status, a text or tool calls, streamed as SSE when the request asks for a stream).

It is a real HTTP server (``http.server`` in a thread) that the real ``llmspell``
command talks to through the real OpenAI SDK; only the model is scripted.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer: ``status`` (429/500 are errors the SDK may retry), after
    ``delay`` seconds; ``text`` or ``tool_calls`` (``[(name, arguments)]``); ``chunks``
    splits a streamed text into these pieces (default: one piece per word)."""

    text: str = "ok"
    status: int = 200
    delay: float = 0.0
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    chunks: list[str] | None = None
    chunk_delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


class ScriptedOpenAI:
    """The server: ``replies`` are served in order (by model name when ``by_model``
    has a queue for the request's model); ``requests`` records what was asked."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.by_model: dict[str, list[Reply]] = {}
        self.requests: list[dict[str, Any]] = []
        #: the HTTP headers of each request (names in lower case)
        self.request_headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.request_headers.append({k.lower(): v for k, v in self.headers.items()})
                reply = server._next(body)
                time.sleep(reply.delay)
                if reply.status != 200:
                    payload = json.dumps({"error": {"message": f"scripted {reply.status}"}})
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload.encode())
                    return
                if body.get("stream"):
                    self._stream(body, reply)
                else:
                    self._whole(body, reply)

            def _whole(self, body: dict[str, Any], reply: Reply) -> None:
                message: dict[str, Any] = {"role": "assistant", "content": reply.text}
                finish = "stop"
                if reply.tool_calls:
                    message = {"role": "assistant", "content": None, "tool_calls": _calls(reply)}
                    finish = "tool_calls"
                payload = json.dumps(
                    {
                        "id": "c1",
                        "object": "chat.completion",
                        "created": 0,
                        "model": body.get("model"),
                        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _stream(self, body: dict[str, Any], reply: Reply) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                pieces = reply.chunks
                if pieces is None:
                    words = reply.text.split(" ")
                    pieces = [w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words)]
                base = {
                    "id": "c1",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": body.get("model"),
                }
                for piece in pieces:
                    delta = {"role": "assistant", "content": piece}
                    chunk = {**base, "choices": [{"index": 0, "delta": delta}]}
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                    time.sleep(reply.chunk_delay)
                usage = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
                last = {"index": 0, "delta": {}, "finish_reason": "stop"}
                end = {**base, "choices": [last], "usage": usage}
                self.wfile.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())
                self.wfile.flush()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def _next(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(body)
            queue = self.by_model.get(str(body.get("model")))
            if queue:
                return queue.pop(0)
            return self.replies.pop(0) if self.replies else Reply()

    def toml(self, name: str = "scripted", max_retries: int = 0) -> str:
        """A ``[providers.NAME]`` table for this server (key from ``SCRIPTED_KEY``)."""
        return (
            f'[providers.{name}]\nprovider_type = "openai"\n'
            f'base_url = "http://127.0.0.1:{self.port}/v1"\n'
            f'api_key_env = "SCRIPTED_KEY"\nmax_retries = {max_retries}\n'
        )

    def __enter__(self) -> ScriptedOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _calls(reply: Reply) -> list[dict[str, Any]]:
    return [
        {
            "id": f"call_{i}",
            "type": "function",
            "function": {"name": name, "arguments": json.dumps(args)},
        }
        for i, (name, args) in enumerate(reply.tool_calls)
    ]
