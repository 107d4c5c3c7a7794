"""The plugin loader: entry points of group ``llmspell``, loaded safely (DESIGN.md §2).

One broken plugin is reported and skipped unless ``LLMSPELL_STRICT_PLUGINS=1``;
``LLMSPELL_LOAD_PLUGINS=a,b`` loads only the named plugins (entry-point or distribution
names); ``LLMSPELL_LOAD_PLUGINS=""`` (empty) or ``autoload=False`` loads none;
a distribution found twice on ``sys.path`` is loaded once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pluggy

from llmspell import hookspecs
from llmspell.entry_points import FoundEntryPoint, entry_points
from llmspell.errors import PluginError

ENTRY_POINT_GROUP = hookspecs.PROJECT_NAME

__all__ = ["ENTRY_POINT_GROUP", "PluginInfo", "PluginLoader", "create_plugin_manager"]


@dataclass
class PluginInfo:
    """What the loader knows of one plugin: where it came from and whether it loaded."""

    name: str
    distribution: str | None = None
    version: str | None = None
    module: str | None = None
    hooks: list[str] = field(default_factory=list)
    error: str | None = None
    builtin: bool = False

    @property
    def loaded(self) -> bool:
        """True when the plugin imported and registered without error."""
        return self.error is None


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


class PluginLoader:
    """Owns the pluggy ``PluginManager`` and the report of every plugin it tried."""

    def __init__(
        self,
        *,
        autoload: bool = True,
        strict: bool | None = None,
        allowlist: list[str] | None = None,
        environ: dict[str, str] | None = None,
    ) -> None:
        env = os.environ if environ is None else environ
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.strict = _truthy(env.get("LLMSPELL_STRICT_PLUGINS")) if strict is None else strict
        if allowlist is None and "LLMSPELL_LOAD_PLUGINS" in env:
            allowlist = [p.strip() for p in env["LLMSPELL_LOAD_PLUGINS"].split(",") if p.strip()]
        self.allowlist = allowlist
        self.autoload = autoload and not _truthy(env.get("LLMSPELL_DISABLE_PLUGIN_AUTOLOAD"))
        self.plugins: list[PluginInfo] = []
        self._register_builtins()
        if self.autoload:
            self.load_entry_points()
        self.check_pending()

    # -- loading -------------------------------------------------------------------

    def _register_builtins(self) -> None:
        from llmspell.api import builtin_plugin

        self.register(builtin_plugin, name="llmspell.builtins", builtin=True)

    def register(
        self,
        plugin: ModuleType | object,
        *,
        name: str,
        distribution: str | None = None,
        version: str | None = None,
        builtin: bool = False,
    ) -> PluginInfo:
        """Register an already imported plugin object (a module or an instance)."""
        info = PluginInfo(
            name=name,
            distribution=distribution,
            version=version,
            module=getattr(plugin, "__name__", type(plugin).__name__),
            builtin=builtin,
        )
        self.plugins.append(info)
        try:
            self.pm.register(plugin, name=name)
        except Exception as exc:  # pluggy validation errors, duplicate names
            info.error = f"{type(exc).__name__}: {exc}"
            self._fail(info, exc)
        else:
            info.hooks = sorted(h.name for h in self.pm.get_hookcallers(plugin) or [])
        return info

    def load_entry_points(self) -> None:
        """Import and register every ``llmspell`` entry point, safely."""
        seen_dists: set[str] = set()
        for ep in entry_points(ENTRY_POINT_GROUP):
            dist_name = ep.dist_name
            key = f"{dist_name}:{ep.name}"
            if key in seen_dists:
                continue
            seen_dists.add(key)
            if self.allowlist is not None and not (
                ep.name in self.allowlist or (dist_name and dist_name in self.allowlist)
            ):
                continue
            if self.pm.get_plugin(ep.name) is not None:
                continue
            self._load_one(ep, dist_name, ep.dist_version)

    def _load_one(self, ep: FoundEntryPoint, dist_name: str | None, version: str | None) -> None:
        info = PluginInfo(name=ep.name, distribution=dist_name, version=version, module=ep.value)
        try:
            plugin = ep.load()
            self.pm.register(plugin, name=ep.name)
            info.hooks = sorted(h.name for h in self.pm.get_hookcallers(plugin) or [])
        except Exception as exc:
            info.error = f"{type(exc).__name__}: {exc}"
            info.hooks = []
            self.plugins.append(info)
            self._fail(info, exc)
            return
        self.plugins.append(info)

    def _fail(self, info: PluginInfo, exc: BaseException | None = None) -> None:
        if self.strict:
            raise PluginError(
                f"plugin {info.name!r} ({info.distribution or 'unknown distribution'}) "
                f"failed to load: {info.error}",
                hint="unset LLMSPELL_STRICT_PLUGINS to skip broken plugins",
            ) from exc

    def check_pending(self) -> None:
        """Report hookimpls that match no hookspec (usually a misspelled hook name)."""
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            plugin = exc.plugin
            name = self.pm.get_name(plugin) or str(plugin)
            self.pm.unregister(plugin)
            failed = [info for info in self.plugins if info.name == name]
            for info in failed:
                info.error = f"PluginValidationError: {exc}"
                info.hooks = []
            for info in failed:
                self._fail(info, exc)
            self.check_pending()

    # -- queries -------------------------------------------------------------------

    @property
    def errors(self) -> list[PluginInfo]:
        """The plugins that failed to load."""
        return [p for p in self.plugins if p.error]

    def call(self, hook_name: str, **kwargs: Any) -> list[Any]:
        """Call hook ``hook_name``; a plugin that raises is reported (or fatal if strict)."""
        caller = getattr(self.pm.hook, hook_name)
        results: list[Any] = []
        for impl in reversed(caller.get_hookimpls()):
            try:
                res = impl.function(**{k: kwargs[k] for k in impl.argnames if k in kwargs})
            except Exception as exc:
                info = self._info(impl.plugin_name)
                info.error = f"{hook_name} raised {type(exc).__name__}: {exc}"
                self._fail(info, exc)
                continue
            if res is not None:
                results.append(res)
        return results

    def _info(self, name: str) -> PluginInfo:
        for info in self.plugins:
            if info.name == name:
                return info
        info = PluginInfo(name=name)
        self.plugins.append(info)
        return info


def create_plugin_manager(**kwargs: Any) -> PluginLoader:
    """Create a :class:`PluginLoader` (see its arguments)."""
    return PluginLoader(**kwargs)
