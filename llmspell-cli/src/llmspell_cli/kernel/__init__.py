"""``llmspell kernel``: a Jupyter kernel for Lua and JavaScript spells.

- :mod:`.protocol` builds the message contents (language info, completeness,
  completion, results, errors) from the REPL's pieces;
- :mod:`.kernel` is the ipykernel ``Kernel`` subclass (imported only in the kernel
  process);
- :mod:`.history` keeps the cells run, for ``history`` requests;
- :mod:`.stdin` makes Lua's ``io.read`` ask the front end (``input_request``);
- :mod:`.spec` writes and lists kernel specs;
- :mod:`.cli` registers ``llmspell kernel install|list``;
- ``python -m llmspell_cli.kernel -f CONNECTION_FILE --engine lua|js`` starts a kernel
  (the kernel spec's argv).
"""
