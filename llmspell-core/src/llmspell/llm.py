"""The provider-neutral chat model: messages, requests, responses, and the provider contract.

Provider plugins (``llmspell-providers``) adapt an SDK to :class:`ChatProvider`; agents
(``llmspell.agents``) speak only these types, so an agent runs unchanged on OpenAI,
Anthropic or any OpenAI-compatible server.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "Capabilities",
    "ChatProvider",
    "ChatRequest",
    "ChatResponse",
    "ImagePart",
    "Message",
    "ProviderConfig",
    "ToolCall",
    "ToolSpec",
    "Usage",
]

Role = Literal["system", "user", "assistant", "tool"]


@dataclass
class ImagePart:
    """An image in a user message: base64 ``data`` of ``media_type`` (``image/png``)."""

    data: str
    media_type: str = "image/png"


@dataclass
class ToolCall:
    """A tool the model asked to call, with its JSON arguments. ``error`` is set when
    the model's arguments could not be read (then the agent answers the model with it
    instead of running the tool — small models often write broken JSON)."""

    id: str
    name: str
    arguments: dict[str, Any]
    error: str | None = None


@dataclass
class Message:
    """One conversation turn.

    ``tool_calls`` is set on assistant turns that ask for tools; a ``tool`` turn answers
    one call (``tool_call_id``) with ``content`` (the tool result as JSON text).
    """

    role: Role
    content: str = ""
    images: list[ImagePart] = field(default_factory=list)
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_call_id: str | None = None
    name: str | None = None


@dataclass
class ToolSpec:
    """A tool offered to the model: name, description, JSON schema of its parameters."""

    name: str
    description: str
    parameters: dict[str, Any]


@dataclass
class ChatRequest:
    """One call to a model."""

    model: str
    messages: list[Message]
    system: str | None = None
    tools: list[ToolSpec] = field(default_factory=list)
    temperature: float | None = None
    max_tokens: int | None = None
    #: a JSON schema the answer must follow (provider-native JSON mode where supported)
    output_schema: dict[str, Any] | None = None
    timeout_seconds: float | None = None


@dataclass
class Usage:
    """Token counts of one call (or a sum of calls)."""

    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        """Input plus output tokens."""
        return self.input_tokens + self.output_tokens

    def add(self, other: Usage) -> None:
        """Add ``other`` to this count."""
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens

    def as_dict(self) -> dict[str, int]:
        """``{input_tokens, output_tokens, total_tokens}``."""
        return {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "total_tokens": self.total_tokens,
        }


@dataclass
class ChatResponse:
    """What a model answered: text and/or tool calls, usage, the model that answered."""

    text: str
    tool_calls: list[ToolCall] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    model: str = ""
    finish_reason: str | None = None


@dataclass
class Capabilities:
    """What a provider/model supports (``Provider.get(name).capabilities``)."""

    supports_streaming: bool = True
    supports_tools: bool = True
    supports_structured_output: bool = False
    supports_multimodal: bool = False
    max_context_tokens: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """The capability flags as a dict."""
        return dict(self.__dict__)


@dataclass
class ProviderConfig:
    """Everything needed to build a provider client (resolved from presets, config,
    env vars and the agent's builder). ``api_key`` never appears in errors or logs."""

    name: str
    provider_type: str
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    api_key_env: str | None = None
    default_model: str | None = None
    timeout_seconds: float = 60.0
    max_retries: int = 3
    #: an httpx transport to use instead of the network (tests pass a MockTransport)
    transport: Any = field(default=None, repr=False)
    #: for a ``base_url`` the spell chose: the addresses the network policy checked its
    #: host against; the client connects only to these (a later DNS answer is not
    #: trusted). Empty for the operator's own endpoints.
    pinned_addresses: list[str] = field(default_factory=list)


class ChatProvider(ABC):
    """A client of one provider. Adapters raise only llmspell errors:
    AuthenticationError (naming the env var), RateLimitError, TimeoutError,
    ProviderError — never an SDK exception, never the key."""

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config

    @abstractmethod
    async def chat(self, request: ChatRequest) -> ChatResponse:
        """Send ``request``; return the complete answer."""

    @abstractmethod
    def stream(self, request: ChatRequest) -> AsyncIterator[str | ChatResponse]:
        """Send ``request`` streaming: yield text deltas as they arrive, then the
        complete :class:`ChatResponse` (with tool calls and usage) last."""

    def capabilities(self, model: str | None = None) -> Capabilities:
        """What this provider (and ``model``) supports."""
        return Capabilities()

    def cost_usd(self, model: str, usage: Usage) -> float | None:
        """The price of ``usage`` on ``model`` in USD, or None when unknown."""
        return None

    async def close(self) -> None:  # noqa: B027 - optional
        """Release network resources."""
