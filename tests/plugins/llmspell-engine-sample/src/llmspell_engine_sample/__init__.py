"""llmspell-engine-sample: a tiny third-party script engine, kept as an example.

Install it next to ``llmspell-core`` and ``llmspell run spell.sample`` runs ``.sample``
files. See :mod:`llmspell_engine_sample.engine` for the language and
:mod:`llmspell_engine_sample.plugin` for how it plugs in.
"""

__version__ = "0.1.0"
