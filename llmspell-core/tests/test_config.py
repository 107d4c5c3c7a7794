"""Configuration: discovery, precedence, env vars, error messages and redaction.

Tested through ``load_settings``/``discover_config_file`` and ``Settings`` attributes
only, so the tests survive a change of the validation machinery.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest

from llmspell.config import (
    ENV_VARS,
    Settings,
    discover_config_file,
    llmspell_home,
    load_settings,
)
from llmspell.errors import ConfigurationError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def user_config(home: Path) -> Path:
    return home / ".config" / "llmspell" / "config.toml"


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    d = tmp_path / "project"
    d.mkdir()
    return d


# -- defaults -------------------------------------------------------------------------


def test_defaults_without_any_file(environ: dict[str, str], cwd: Path) -> None:
    s = load_settings(environ=environ, cwd=cwd)
    assert isinstance(s, Settings)
    assert s.source is None
    assert s.runtime.default_engine == "lua"
    assert s.runtime.timeout_seconds == 300
    assert s.runtime.memory_mb == 256
    assert s.runtime.instruction_limit == 0
    assert s.runtime.log_level == "warn"
    assert s.state.backend == "sqlite"
    assert s.state.path is None
    assert s.security.allow_network is False
    assert s.security.allow_process is False
    assert "." in s.security.allowed_paths
    assert tempfile.gettempdir() in s.security.allowed_paths
    assert s.default_provider is None
    assert s.providers == {}
    assert s.tools == {}


def test_use_files_false_ignores_files(environ: dict[str, str], cwd: Path) -> None:
    write(cwd / "llmspell.toml", "[runtime]\ntimeout_seconds = 5\n")
    s = load_settings(environ=environ, cwd=cwd, use_files=False)
    assert s.runtime.timeout_seconds == 300
    assert s.source is None


def test_default_allowed_paths_are_independent_copies(environ: dict[str, str], cwd: Path) -> None:
    a = load_settings(environ=environ, cwd=cwd)
    b = load_settings(environ=environ, cwd=cwd)
    a.security.allowed_paths.append("/extra")
    assert "/extra" not in b.security.allowed_paths


# -- discovery ------------------------------------------------------------------------------


def test_discover_nothing(environ: dict[str, str], cwd: Path) -> None:
    assert discover_config_file(None, environ, cwd) is None


def test_discover_explicit_path(environ: dict[str, str], cwd: Path, tmp_path: Path) -> None:
    explicit = write(tmp_path / "custom.toml", "")
    write(cwd / "llmspell.toml", "")
    env = {**environ, "LLMSPELL_CONFIG": str(write(tmp_path / "env.toml", ""))}
    assert discover_config_file(explicit, env, cwd) == explicit
    assert discover_config_file(str(explicit), env, cwd) == explicit


def test_discover_explicit_path_must_exist(
    environ: dict[str, str], cwd: Path, tmp_path: Path
) -> None:
    write(cwd / "llmspell.toml", "")  # a fallback exists, but an explicit path must win or fail
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigurationError) as info:
        discover_config_file(missing, environ, cwd)
    assert str(missing) in str(info.value)
    assert "--config" in str(info.value)
    assert info.value.hint


def test_discover_explicit_directory_is_refused(environ: dict[str, str], cwd: Path) -> None:
    with pytest.raises(ConfigurationError):
        discover_config_file(cwd, environ, cwd)


def test_discover_env_var(environ: dict[str, str], cwd: Path, tmp_path: Path) -> None:
    from_env = write(tmp_path / "env.toml", "")
    write(cwd / "llmspell.toml", "")
    write(user_config(Path(environ["HOME"])), "")
    env = {**environ, "LLMSPELL_CONFIG": str(from_env)}
    assert discover_config_file(None, env, cwd) == from_env


def test_discover_env_var_must_exist(environ: dict[str, str], cwd: Path, tmp_path: Path) -> None:
    write(cwd / "llmspell.toml", "")
    env = {**environ, "LLMSPELL_CONFIG": str(tmp_path / "missing.toml")}
    with pytest.raises(ConfigurationError) as info:
        discover_config_file(None, env, cwd)
    assert "LLMSPELL_CONFIG" in str(info.value)
    assert "missing.toml" in str(info.value)


def test_discover_empty_env_var_is_ignored(environ: dict[str, str], cwd: Path) -> None:
    local = write(cwd / "llmspell.toml", "")
    assert discover_config_file(None, {**environ, "LLMSPELL_CONFIG": ""}, cwd) == local


def test_discover_local_file_beats_user_file(environ: dict[str, str], cwd: Path) -> None:
    local = write(cwd / "llmspell.toml", "")
    write(user_config(Path(environ["HOME"])), "")
    assert discover_config_file(None, environ, cwd) == local


def test_discover_user_file_via_home(environ: dict[str, str], cwd: Path, tmp_path: Path) -> None:
    other_home = tmp_path / "other-home"
    cfg = write(user_config(other_home), "")
    assert discover_config_file(None, {**environ, "HOME": str(other_home)}, cwd) == cfg
    # the HOME in the given environ is what counts, not the process's
    assert discover_config_file(None, environ, cwd) is None


def test_discover_local_directory_named_like_the_file_is_skipped(
    environ: dict[str, str], cwd: Path
) -> None:
    (cwd / "llmspell.toml").mkdir()
    assert discover_config_file(None, environ, cwd) is None


def test_load_settings_records_source(environ: dict[str, str], cwd: Path) -> None:
    local = write(cwd / "llmspell.toml", "[runtime]\nmemory_mb = 64\n")
    s = load_settings(environ=environ, cwd=cwd)
    assert s.source == str(local)
    assert s.runtime.memory_mb == 64


def test_load_settings_from_user_file(environ: dict[str, str], cwd: Path) -> None:
    write(user_config(Path(environ["HOME"])), '[state]\nbackend = "memory"\n')
    s = load_settings(environ=environ, cwd=cwd)
    assert s.state.backend == "memory"


def test_load_settings_explicit_file(environ: dict[str, str], cwd: Path, tmp_path: Path) -> None:
    write(cwd / "llmspell.toml", "[runtime]\nmemory_mb = 64\n")
    explicit = write(tmp_path / "x.toml", "[runtime]\nmemory_mb = 32\n")
    s = load_settings(explicit, environ=environ, cwd=cwd)
    assert s.runtime.memory_mb == 32
    assert s.source == str(explicit)


def test_load_settings_explicit_missing(environ: dict[str, str], cwd: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="does not exist"):
        load_settings(tmp_path / "missing.toml", environ=environ, cwd=cwd)


# -- a full file ----------------------------------------------------------------------------

FULL = """
default_provider = "local"

[runtime]
default_engine = "js"
timeout_seconds = 12.5
memory_mb = 128
instruction_limit = 1000000
log_level = "debug"

[state]
backend = "memory"
path = "/tmp/s.db"

[security]
allowed_paths = ["/data"]
allow_network = true
allowed_hosts = ["example.com"]
denied_hosts = ["evil.example"]
allow_process = true
allowed_commands = ["echo"]

[providers.local]
provider_type = "openai"
base_url = "http://localhost:11434/v1"
api_key_env = "LOCAL_KEY"
default_model = "llama3"
timeout_seconds = 5
max_retries = 0
enabled = true

[providers.claude]
provider_type = "anthropic"

[tools.web-search]
api_key = "sk-secret"
engine = "duckduckgo"
"""


def test_full_file(environ: dict[str, str], cwd: Path) -> None:
    write(cwd / "llmspell.toml", FULL)
    s = load_settings(environ=environ, cwd=cwd)
    assert s.default_provider == "local"
    assert s.runtime.default_engine == "js"
    assert s.runtime.timeout_seconds == 12.5
    assert s.runtime.memory_mb == 128
    assert s.runtime.instruction_limit == 1_000_000
    assert s.runtime.log_level == "debug"
    assert s.state.backend == "memory"
    assert s.state.path == "/tmp/s.db"
    assert s.security.allowed_paths == ["/data"]
    assert s.security.allow_network is True
    assert s.security.allowed_hosts == ["example.com"]
    assert s.security.denied_hosts == ["evil.example"]
    assert s.security.allow_process is True
    assert s.security.allowed_commands == ["echo"]
    local = s.providers["local"]
    assert local.base_url == "http://localhost:11434/v1"
    assert local.api_key_env == "LOCAL_KEY"
    assert local.default_model == "llama3"
    assert local.timeout_seconds == 5
    assert local.max_retries == 0
    assert local.enabled is True
    claude = s.providers["claude"]
    assert claude.provider_type == "anthropic"
    assert claude.base_url is None
    assert claude.timeout_seconds > 0
    assert s.tools["web-search"]["engine"] == "duckduckgo"


def test_integer_toml_value_for_float_setting(environ: dict[str, str], cwd: Path) -> None:
    write(cwd / "llmspell.toml", "[runtime]\ntimeout_seconds = 7\n")
    s = load_settings(environ=environ, cwd=cwd)
    assert s.runtime.timeout_seconds == 7.0
    assert isinstance(s.runtime.timeout_seconds, float)


# -- precedence -----------------------------------------------------------------------------


def test_precedence_overrides_env_file_defaults(environ: dict[str, str], cwd: Path) -> None:
    write(
        cwd / "llmspell.toml",
        "[runtime]\ntimeout_seconds = 10\nmemory_mb = 100\ninstruction_limit = 5\n",
    )
    env = {**environ, "LLMSPELL_TIMEOUT": "20", "LLMSPELL_MEMORY_MB": "200"}
    s = load_settings(environ=env, cwd=cwd, overrides={("runtime", "timeout_seconds"): 30})
    assert s.runtime.timeout_seconds == 30  # override beats env and file
    assert s.runtime.memory_mb == 200  # env beats file
    assert s.runtime.instruction_limit == 5  # file beats default
    assert s.runtime.log_level == "warn"  # default


def test_override_none_means_not_given(environ: dict[str, str], cwd: Path) -> None:
    write(cwd / "llmspell.toml", "[runtime]\ntimeout_seconds = 10\n")
    s = load_settings(
        environ={**environ, "LLMSPELL_TIMEOUT": "20"},
        cwd=cwd,
        overrides={("runtime", "timeout_seconds"): None},
    )
    assert s.runtime.timeout_seconds == 20


def test_env_beats_file_for_booleans(environ: dict[str, str], cwd: Path) -> None:
    write(cwd / "llmspell.toml", "[security]\nallow_network = true\n")
    s = load_settings(environ={**environ, "LLMSPELL_ALLOW_NETWORK": "0"}, cwd=cwd)
    assert s.security.allow_network is False


def test_top_level_override(environ: dict[str, str], cwd: Path) -> None:
    s = load_settings(
        environ={**environ, "LLMSPELL_DEFAULT_PROVIDER": "openai"},
        cwd=cwd,
        overrides={("default_provider",): "anthropic"},
    )
    assert s.default_provider == "anthropic"


def test_invalid_override_is_a_configuration_error(environ: dict[str, str], cwd: Path) -> None:
    with pytest.raises(ConfigurationError) as info:
        load_settings(environ=environ, cwd=cwd, overrides={("runtime", "timeout_seconds"): -1})
    assert "timeout_seconds" in str(info.value)


def test_process_environment_is_used_by_default(monkeypatch: pytest.MonkeyPatch, cwd: Path) -> None:
    monkeypatch.setenv("LLMSPELL_MEMORY_MB", "77")
    assert load_settings(cwd=cwd).runtime.memory_mb == 77


def test_explicit_environ_ignores_process_environment(
    monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], cwd: Path
) -> None:
    monkeypatch.setenv("LLMSPELL_MEMORY_MB", "77")
    assert load_settings(environ=environ, cwd=cwd).runtime.memory_mb == 256


# -- environment variables ------------------------------------------------------------------


def test_env_var_table_targets() -> None:
    assert ENV_VARS["LLMSPELL_TIMEOUT"] == ("runtime", "timeout_seconds")
    assert ENV_VARS["LLMSPELL_ALLOW_NETWORK"] == ("security", "allow_network")
    assert ENV_VARS["LLMSPELL_STATE_BACKEND"] == ("state", "backend")
    assert ENV_VARS["LLMSPELL_DEFAULT_PROVIDER"] == ("default_provider",)


@pytest.mark.parametrize(
    ("var", "raw", "attr", "expected"),
    [
        ("LLMSPELL_DEFAULT_ENGINE", "js", ("runtime", "default_engine"), "js"),
        ("LLMSPELL_TIMEOUT", "2.5", ("runtime", "timeout_seconds"), 2.5),
        ("LLMSPELL_TIMEOUT", " 60 ", ("runtime", "timeout_seconds"), 60),
        ("LLMSPELL_MEMORY_MB", "512", ("runtime", "memory_mb"), 512),
        ("LLMSPELL_INSTRUCTION_LIMIT", "1000", ("runtime", "instruction_limit"), 1000),
        ("LLMSPELL_LOG_LEVEL", "debug", ("runtime", "log_level"), "debug"),
        ("LLMSPELL_STATE_BACKEND", "memory", ("state", "backend"), "memory"),
        ("LLMSPELL_STATE_PATH", "/x/state.db", ("state", "path"), "/x/state.db"),
        ("LLMSPELL_ALLOW_PROCESS", "yes", ("security", "allow_process"), True),
        ("LLMSPELL_DEFAULT_PROVIDER", "anthropic", ("default_provider",), "anthropic"),
    ],
)
def test_each_env_var(
    environ: dict[str, str],
    cwd: Path,
    var: str,
    raw: str,
    attr: tuple[str, ...],
    expected: object,
) -> None:
    assert var in ENV_VARS
    s = load_settings(environ={**environ, var: raw}, cwd=cwd)
    node: object = s
    for part in attr:
        node = getattr(node, part)
    assert node == expected


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "yes", "on", " True "])
def test_boolean_env_true(environ: dict[str, str], cwd: Path, raw: str) -> None:
    s = load_settings(environ={**environ, "LLMSPELL_ALLOW_NETWORK": raw}, cwd=cwd)
    assert s.security.allow_network is True


@pytest.mark.parametrize("raw", ["0", "false", "False", "no", "off", ""])
def test_boolean_env_false(environ: dict[str, str], cwd: Path, raw: str) -> None:
    write(cwd / "llmspell.toml", "[security]\nallow_network = true\n")
    s = load_settings(environ={**environ, "LLMSPELL_ALLOW_NETWORK": raw}, cwd=cwd)
    assert s.security.allow_network is False


@pytest.mark.parametrize("var", ["LLMSPELL_ALLOW_NETWORK", "LLMSPELL_ALLOW_PROCESS"])
def test_boolean_env_garbage_is_a_clear_error(environ: dict[str, str], cwd: Path, var: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        load_settings(environ={**environ, var: "maybe"}, cwd=cwd)
    msg = str(info.value)
    assert var in msg
    assert "maybe" in msg
    assert "boolean" in msg
    assert info.value.hint and f"{var}=1" in info.value.hint


@pytest.mark.parametrize(
    ("var", "raw"),
    [
        ("LLMSPELL_TIMEOUT", "soon"),
        ("LLMSPELL_MEMORY_MB", "lots"),
        ("LLMSPELL_MEMORY_MB", "1.5"),
        ("LLMSPELL_INSTRUCTION_LIMIT", "many"),
    ],
)
def test_numeric_env_garbage_names_the_variable(
    environ: dict[str, str], cwd: Path, var: str, raw: str
) -> None:
    with pytest.raises(ConfigurationError) as info:
        load_settings(environ={**environ, var: raw}, cwd=cwd)
    assert var in str(info.value)
    assert raw in str(info.value)


@pytest.mark.parametrize(
    ("var", "raw", "key"),
    [
        ("LLMSPELL_TIMEOUT", "-5", "timeout_seconds"),
        ("LLMSPELL_TIMEOUT", "0", "timeout_seconds"),
        ("LLMSPELL_MEMORY_MB", "0", "memory_mb"),
        ("LLMSPELL_LOG_LEVEL", "verbose", "log_level"),
        ("LLMSPELL_STATE_BACKEND", "redis", "backend"),
    ],
)
def test_out_of_range_env_value_is_refused(
    environ: dict[str, str], cwd: Path, var: str, raw: str, key: str
) -> None:
    with pytest.raises(ConfigurationError) as info:
        load_settings(environ={**environ, var: raw}, cwd=cwd)
    assert key in str(info.value)
    assert raw in str(info.value)


def test_unrelated_env_vars_are_ignored(environ: dict[str, str], cwd: Path) -> None:
    env = {**environ, "LLMSPELL_TIMEOUTS": "x", "LLMSPELL_NOT_A_SETTING": "1"}
    assert load_settings(environ=env, cwd=cwd).runtime.timeout_seconds == 300


def test_env_var_with_a_bad_file_reports_the_file(environ: dict[str, str], cwd: Path) -> None:
    cfg = write(cwd / "llmspell.toml", "[runtime]\ntimeout_seconds = -1\n")
    # the file is wrong even though the environment would fix the value: say so
    with pytest.raises(ConfigurationError) as info:
        load_settings(environ={**environ, "LLMSPELL_TIMEOUT": "5"}, cwd=cwd)
    assert str(cfg) in str(info.value)


# -- file errors ----------------------------------------------------------------------------


def test_unknown_key_with_suggestion(environ: dict[str, str], cwd: Path) -> None:
    cfg = write(cwd / "llmspell.toml", "[runtime]\ntimout_seconds = 5\n")
    with pytest.raises(ConfigurationError) as info:
        load_settings(environ=environ, cwd=cwd)
    msg = str(info.value)
    assert str(cfg) in msg  # the file
    assert "timout_seconds" in msg  # the key
    assert "unknown key" in msg
    assert "did you mean 'timeout_seconds'" in msg  # the fix
    assert info.value.hint


def test_unknown_section(environ: dict[str, str], cwd: Path) -> None:
    write(cwd / "llmspell.toml", "[runtim]\ntimeout_seconds = 5\n")
    with pytest.raises(ConfigurationError) as info:
        load_settings(environ=environ, cwd=cwd)
    assert "runtim" in str(info.value)
    assert "did you mean 'runtime'" in str(info.value)


def test_unknown_key_without_close_match_lists_known_keys(
    environ: dict[str, str], cwd: Path
) -> None:
    write(cwd / "llmspell.toml", "[state]\nzzz = 1\n")
    with pytest.raises(ConfigurationError) as info:
        load_settings(environ=environ, cwd=cwd)
    msg = str(info.value)
    assert "zzz" in msg
    assert "backend" in msg and "path" in msg


def test_unknown_provider_key_suggests_provider_field(environ: dict[str, str], cwd: Path) -> None:
    write(cwd / "llmspell.toml", '[providers.local]\nbase_ur = "http://x"\n')
    with pytest.raises(ConfigurationError) as info:
        load_settings(environ=environ, cwd=cwd)
    msg = str(info.value)
    assert "providers.local" in msg
    assert "base_ur" in msg
    assert "did you mean 'base_url'" in msg


def test_source_is_not_a_config_key(environ: dict[str, str], cwd: Path) -> None:
    write(cwd / "llmspell.toml", 'source = "/etc/passwd"\n')
    with pytest.raises(ConfigurationError, match="source"):
        load_settings(environ=environ, cwd=cwd)


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ('[runtime]\ntimeout_seconds = "fast"\n', "timeout_seconds"),
        ("[runtime]\ntimeout_seconds = true\n", "timeout_seconds"),
        ("[runtime]\nmemory_mb = 1.5\n", "memory_mb"),
        ("[runtime]\ndefault_engine = 5\n", "default_engine"),
        ('[runtime]\nlog_level = "loud"\n', "log_level"),
        ('[security]\nallow_network = "yes"\n', "allow_network"),
        ('[security]\nallowed_paths = "/data"\n', "allowed_paths"),
        ("[security]\nallowed_paths = [1, 2]\n", "allowed_paths"),
        ('[state]\nbackend = "postgres"\n', "backend"),
        ('[providers.x]\nprovider_type = "cohere"\n', "provider_type"),
        ("[providers.x]\nmax_retries = -1\n", "max_retries"),
        ('providers = "openai"\n', "providers"),
        ("runtime = 5\n", "runtime"),
        ('tools = {web = "x"}\n', "tools"),
        ("default_provider = 3\n", "default_provider"),
    ],
)
def test_wrong_type_names_file_and_key(
    environ: dict[str, str], cwd: Path, toml: str, key: str
) -> None:
    cfg = write(cwd / "llmspell.toml", toml)
    with pytest.raises(ConfigurationError) as info:
        load_settings(environ=environ, cwd=cwd)
    msg = str(info.value)
    assert str(cfg) in msg
    assert key in msg
    assert info.value.hint  # says how to fix it


def test_wrong_type_message_shows_the_bad_value(environ: dict[str, str], cwd: Path) -> None:
    write(cwd / "llmspell.toml", '[runtime]\ntimeout_seconds = "fast"\n')
    with pytest.raises(ConfigurationError) as info:
        load_settings(environ=environ, cwd=cwd)
    assert "runtime.timeout_seconds" in str(info.value)
    assert "fast" in str(info.value)


def test_invalid_toml_names_file_and_position(environ: dict[str, str], cwd: Path) -> None:
    cfg = write(cwd / "llmspell.toml", "[runtime]\ntimeout_seconds = = 5\n")
    with pytest.raises(ConfigurationError) as info:
        load_settings(environ=environ, cwd=cwd)
    msg = str(info.value)
    assert str(cfg) in msg
    assert "TOML" in msg
    assert "line 2" in msg
    assert info.value.hint


def test_unreadable_config_file(
    environ: dict[str, str], cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # file modes do not stop root (CI runs as root), so the read itself fails here
    cfg = write(cwd / "llmspell.toml", "")
    real_read = Path.read_text

    def denied(self: Path, *args: Any, **kwargs: Any) -> str:
        if self == cfg:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", denied)
    with pytest.raises(ConfigurationError) as info:
        load_settings(environ=environ, cwd=cwd)
    assert str(cfg) in str(info.value)
    assert "Permission denied" in str(info.value)


def test_non_utf8_config_file_is_a_configuration_error(environ: dict[str, str], cwd: Path) -> None:
    cfg = cwd / "llmspell.toml"
    cfg.write_bytes(b'[runtime]\nlog_level = "\xff\xfe"\n')
    with pytest.raises(ConfigurationError) as info:
        load_settings(environ=environ, cwd=cwd)
    assert str(cfg) in str(info.value)


def test_empty_file_gives_defaults(environ: dict[str, str], cwd: Path) -> None:
    write(cwd / "llmspell.toml", "# nothing yet\n")
    s = load_settings(environ=environ, cwd=cwd)
    assert s.runtime.timeout_seconds == 300
    assert s.source == str(cwd / "llmspell.toml")


# -- redaction --------------------------------------------------------------------------------


def test_redacted_masks_secret_looking_keys(environ: dict[str, str], cwd: Path) -> None:
    write(
        cwd / "llmspell.toml",
        """
[providers.local]
api_key_env = "LOCAL_API_KEY"
base_url = "http://localhost"

[tools.web]
api_key = "sk-live-123"
auth_token = "tok-456"
client_secret = "shh"
password = "hunter2"
engine = "duckduckgo"
empty_token = ""
""",
    )
    s = load_settings(environ=environ, cwd=cwd)
    red = s.redacted()
    web = red["tools"]["web"]
    assert web["api_key"] == "***"
    assert web["auth_token"] == "***"
    assert web["client_secret"] == "***"
    assert web["password"] == "***"
    assert web["engine"] == "duckduckgo"
    assert web["empty_token"] == ""  # nothing to hide
    # *_env names the variable, it is not the secret itself
    assert red["providers"]["local"]["api_key_env"] == "LOCAL_API_KEY"
    assert red["providers"]["local"]["base_url"] == "http://localhost"
    # the structure is all there and nothing secret leaks anywhere in it
    assert red["runtime"]["timeout_seconds"] == 300
    assert red["security"]["allow_network"] is False
    assert "sk-live-123" not in repr(red)
    assert "hunter2" not in repr(red)
    assert "source" not in red


def test_redacted_masks_secret_lists_and_leaves_settings_untouched(
    environ: dict[str, str], cwd: Path
) -> None:
    write(cwd / "llmspell.toml", '[tools.x]\napi_keys = ["a-secret", "b-secret"]\n')
    s = load_settings(environ=environ, cwd=cwd)
    assert s.redacted()["tools"]["x"]["api_keys"] == ["***", "***"]
    assert s.tools["x"]["api_keys"] == ["a-secret", "b-secret"]


# -- llmspell home -----------------------------------------------------------------------------


def test_llmspell_home_from_env(tmp_path: Path) -> None:
    assert llmspell_home({"LLMSPELL_HOME": str(tmp_path / "h")}) == tmp_path / "h"


def test_llmspell_home_expands_user(home: Path) -> None:
    assert llmspell_home({"LLMSPELL_HOME": "~/spells"}) == home / "spells"


def test_llmspell_home_default_is_under_home(home: Path) -> None:
    assert llmspell_home({}) == home / ".llmspell"
