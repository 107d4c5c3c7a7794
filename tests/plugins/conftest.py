"""The distributions under ``tests/plugins/`` are plugin *sources* that the install tests
(``tests/install/``) build into wheels; nothing here is a test module."""

collect_ignore_glob = ["*"]
