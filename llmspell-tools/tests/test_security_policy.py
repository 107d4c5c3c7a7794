"""SecurityPolicy unit tests: paths, sizes, commands and network."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from llmspell.config import SecuritySettings
from llmspell.errors import SecurityError
from llmspell.security import DEFAULT_MAX_INPUT_BYTES, SecurityPolicy


@pytest.fixture
def policy(tmp_path):
    root = (tmp_path / "root").resolve()
    root.mkdir()
    return SecurityPolicy(allowed_paths=[root], cwd=root)


def test_relative_and_absolute_paths_inside(policy):
    root = policy.allowed_paths[0]
    assert policy.resolve_path("a/b.txt") == root / "a" / "b.txt"
    assert policy.resolve_path(root / "x") == root / "x"
    assert policy.resolve_path(".") == root
    assert policy.resolve_path("a/../b") == root / "b"


@pytest.mark.parametrize("path", ["..", "../x", "a/../../x", "/etc/passwd", "/", "~/x"])
def test_paths_outside_denied(policy, path):
    with pytest.raises(SecurityError, match="outside the allowed paths"):
        policy.resolve_path(path)


def test_invalid_paths(policy):
    for bad in ("", "a\x00b"):
        with pytest.raises(SecurityError, match="invalid"):
            policy.resolve_path(bad)


def test_symlinks_resolved_before_check(policy, tmp_path):
    root = policy.allowed_paths[0]
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "to_out").symlink_to(outside)
    (root / "to_in").symlink_to(root / "real")
    (root / "real").mkdir()
    with pytest.raises(SecurityError):
        policy.resolve_path("to_out")
    with pytest.raises(SecurityError):
        policy.resolve_path("to_out/new_file")  # an existing parent that leads outside
    assert policy.resolve_path("to_in/f") == root / "real" / "f"
    (root / "dangling").symlink_to(outside / "nope")
    with pytest.raises(SecurityError):
        policy.resolve_path("dangling")


def test_sibling_prefix_is_not_inside(policy, tmp_path):
    sibling = tmp_path / "root-evil"
    sibling.mkdir()
    with pytest.raises(SecurityError):
        policy.resolve_path(sibling / "x")


def test_no_allowed_paths_denies_everything(tmp_path):
    with pytest.raises(SecurityError, match="none"):
        SecurityPolicy(allowed_paths=[], cwd=tmp_path).resolve_path("x")


def test_from_settings_resolves_relative_roots(tmp_path):
    (tmp_path / "data").mkdir()
    p = SecurityPolicy.from_settings(SecuritySettings(allowed_paths=["data"]), cwd=tmp_path)
    assert p.allowed_paths == [(tmp_path / "data").resolve()]
    assert p.allow_process is False and p.allow_network is False
    assert p.max_input_bytes == DEFAULT_MAX_INPUT_BYTES


def test_check_size(policy):
    policy.max_input_bytes = 10
    policy.check_size(10, what="x")
    with pytest.raises(SecurityError, match="over the limit of 10"):
        policy.check_size(11, what="x")


def test_commands(policy):
    with pytest.raises(SecurityError, match="not allowed"):
        policy.resolve_command("echo")
    policy.allow_process = True
    with pytest.raises(SecurityError, match="allowlist"):
        policy.resolve_command("echo")
    policy.allowed_commands = ["echo"]
    assert policy.resolve_command("echo") == shutil.which("echo")
    with pytest.raises(SecurityError, match="allowlist"):
        policy.resolve_command("sh")
    policy.allowed_commands = ["definitely-not-a-command-xyz"]
    with pytest.raises(SecurityError, match="not found"):
        policy.resolve_command("definitely-not-a-command-xyz")


def test_resolve_command_rejects_allowed_name_in_other_directory(policy):
    root = policy.allowed_paths[0]
    sh = shutil.which("sh")
    assert sh
    (root / "echo").symlink_to(sh)
    policy.allow_process = True
    policy.allowed_commands = ["echo"]
    with pytest.raises(SecurityError):
        policy.resolve_command(str(Path(root) / "echo"))


def test_network(policy):
    with pytest.raises(SecurityError, match="network access is not allowed"):
        policy.check_network("GET https://example.com")
    policy.allow_network = True
    policy.check_network("GET https://example.com")
