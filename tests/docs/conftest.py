"""The docs tests: the helpers of the docs-claims test (``doc_pages.py``,
``doc_truth.py``, ``doc_claims.py``) live beside this file and are imported by name."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
