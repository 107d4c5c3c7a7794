"""Keeping secrets out of the run log: credential values from the environment, the
shapes API keys have, URL passwords and parameters whose names say they are secret are
replaced by ``[REDACTED]`` before anything is stored."""

from __future__ import annotations

import os
import re
from typing import Any

from llmspell.security import looks_secret, mask_url_password

__all__ = ["MASK", "Scrubber"]

MASK = "[REDACTED]"
#: well-known credential shapes (OpenAI/Anthropic keys, GitHub, Slack, AWS, bearer tokens)
_SHAPES = re.compile(
    r"\b(?:sk-[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|xox[abpr]-[A-Za-z0-9-]{10,}"
    r"|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,})"
    r"|(?i:\bbearer\s+)[A-Za-z0-9._~+/=-]{12,}"
)
#: shorter values are not masked inside text (too many false hits)
_MIN_SECRET = 8


class Scrubber:
    """Masks secrets in text and in parameter dictionaries."""

    def __init__(self, environ: dict[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        values = {v for k, v in env.items() if looks_secret(k) and len(v) >= _MIN_SECRET}
        # longest first, so a key that contains another is masked whole
        self._values = sorted(values, key=len, reverse=True)

    def text(self, value: str | None) -> str | None:
        """``value`` with every secret masked."""
        if not value:
            return value
        for secret in self._values:
            if secret in value:
                value = value.replace(secret, MASK)
        value = _SHAPES.sub(MASK, value)
        return mask_url_password(value, MASK) if "://" in value else value

    def data(self, value: Any, key: str = "") -> Any:
        """A JSON value with secret-named fields and secret text masked."""
        if key and looks_secret(key) and isinstance(value, str) and value:
            return MASK  # (numbers stay: max_tokens is not a secret)
        if isinstance(value, dict):
            return {str(k): self.data(v, str(k)) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.data(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value
