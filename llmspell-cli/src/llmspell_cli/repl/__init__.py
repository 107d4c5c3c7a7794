"""``llmspell repl``: an interactive session for Lua and JavaScript spells.

- :mod:`.complete` decides whether an entry is complete (or needs more lines);
- :mod:`.completion` lists Tab completions from the op table, tools, agents, config keys;
- :mod:`.inspect` builds the help of a name from the op table (``.help NAME``, the
  kernel's Shift-Tab);
- :mod:`.state` runs entries and dot commands (``.help``, ``.save``, ``.load``, ...);
- :mod:`.terminal` is the prompt_toolkit front end (imported only on a terminal);
- :mod:`.cli` registers the command and reads piped input without prompt_toolkit.

The Jupyter kernel (:mod:`llmspell_cli.kernel`) uses the same completeness, completion,
help and state.
"""
