"""The package's shape: no import cycles, extensions that share only the core and the
shared ``bot.exts._*`` modules, and a core free of Discord (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import bot
from bot.app import EXTENSIONS

ROOT = Path(bot.__file__).parent
CORE = (
    "bot.corpus",
    "bot.search",
    "bot.digest",
    "bot.schedule",
    "bot.store",
    "bot.service",
    "bot.snapshot",
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _known(name: str) -> str | None:
    """The module of the package ``name`` falls in (``bot.store.Store`` → ``bot.store``)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str, *, typing_only: bool = True) -> set[str]:
    """The ``bot`` modules ``module`` imports (at any depth of the file; with
    ``typing_only`` false, leaving out what only type checkers read)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    pending: list[ast.AST] = [ast.parse(path.read_text(encoding="utf-8"))]
    while pending:  # a loop, not recursion: the depth of the tree costs nothing
        node = pending.pop()
        if isinstance(node, ast.If) and not typing_only and _is_type_checking(node.test):
            pending.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            pending.extend(ast.iter_child_nodes(node))
            continue
        for name in names:
            target = _known(name)
            if target is not None and target != module:
                found.add(target)
    return found


def _extension_of(module: str) -> str | None:
    for extension in EXTENSIONS:
        if module == extension or module.startswith(extension + "."):
            return extension
    return None


def test_the_walk_sees_imports_of_every_kind() -> None:
    assert "bot.exts._options" in imports_of("bot.exts.search")  # from … import …
    assert "bot.app" in imports_of("bot.exts.search")  # inside ``if TYPE_CHECKING``
    assert "bot.app" not in imports_of("bot.exts.search", typing_only=False)
    assert "bot.app" in imports_of("bot.runner", typing_only=False)  # inside a function
    assert "bot.store.schedules" in imports_of("bot.store")  # a package's __init__


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _extension_of(m)))
def test_no_extension_imports_another_extensions_module(module: str) -> None:
    own = _extension_of(module)
    others = {m for m in imports_of(module) if _extension_of(m) not in (None, own)}
    assert not others, f"{module} imports {sorted(others)}; share code through bot.exts._*"


def test_shared_extension_modules_import_no_extension() -> None:
    shared = [m for m in MODULES if m.startswith("bot.exts._")]
    assert shared
    for module in shared:
        found = {m for m in imports_of(module) if _extension_of(m)}
        assert not found, f"{module} (shared) imports the extension modules {sorted(found)}"


def test_the_parts_of_admin_share_only_its_base() -> None:
    parts = [m for m in MODULES if m.startswith("bot.exts.admin.")]
    assert parts
    for module in parts:
        found = {m for m in imports_of(module) if m.startswith("bot.exts.admin")}
        assert found <= {"bot.exts.admin._base"}, f"{module} imports {sorted(found)}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith(CORE)))
def test_the_core_imports_no_discord_and_no_skin(module: str) -> None:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    roots = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and not node.level
    }
    assert "discord" not in roots, module
    skins = {m for m in imports_of(module) if m.startswith(("bot.exts", "bot.ui", "bot.app"))}
    assert not skins, f"{module} imports {sorted(skins)}"


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle in ``graph`` (as the modules along it), or ``None``."""
    state: dict[str, int] = {}  # 1 on the current path, 2 finished
    for start in sorted(graph):
        if state.get(start):
            continue
        path = [start]
        stack = [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:  # iterative depth-first search
            step = next(stack[-1], None)
            if step is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(step) == 1:
                return [*path[path.index(step) :], step]
            elif not state.get(step):
                state[step] = 1
                path.append(step)
                stack.append(iter(sorted(graph.get(step, ()))))
    return None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None
    long_chain = {str(n): {str(n + 1)} for n in range(50_000)}
    assert find_cycle(long_chain) is None


def _graph(*, typing_only: bool) -> dict[str, set[str]]:
    graph = {module: imports_of(module, typing_only=typing_only) for module in MODULES}
    # A package's ``__init__`` importing its own modules is how a package is built; a
    # module reaching back to its package's names goes through that, so leave that out.
    for module, targets in graph.items():
        graph[module] = {t for t in targets if not module.startswith(t + ".")}
    return graph


def _package(module: str) -> str:
    return module if module.count(".") < 2 else module.rsplit(".", 1)[0]


def test_bot_has_no_import_cycles() -> None:
    cycle = find_cycle(_graph(typing_only=False))
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


def test_not_even_type_hints_go_round_between_packages() -> None:
    graph = _graph(typing_only=True)
    runtime = _graph(typing_only=False)
    # Inside one sub-package a module may name another's class in a hint only (the store's
    # repositories name ``Store``); across packages even that would tie the layers together.
    for module, targets in graph.items():
        graph[module] = {
            t for t in targets if t in runtime[module] or _package(t) != _package(module)
        }
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle (counting type hints): " + " → ".join(cycle or [])


# Lower layers never reach up (docs/architecture.md, "Which may import which").
FORBIDDEN = {
    "bot.corpus": ("bot.search", "bot.digest", "bot.schedule", "bot.service", "bot.feeds"),
    "bot.store": ("bot.search", "bot.digest", "bot.schedule", "bot.service", "bot.feeds"),
    "bot.search": ("bot.digest", "bot.schedule", "bot.service", "bot.store"),
    "bot.digest": ("bot.schedule", "bot.service", "bot.store"),
    "bot.ui": ("bot.exts", "bot.errors", "bot.app"),
    # The snapshot file format stores whatever it is given; only the service knows what.
    "bot.snapshot": (
        "bot.corpus",
        "bot.search",
        "bot.digest",
        "bot.schedule",
        "bot.service",
        "bot.store",
        "bot.feeds",
    ),
}


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_lower_layers_do_not_import_higher_ones(layer: str) -> None:
    modules = [m for m in MODULES if m == layer or m.startswith(layer + ".")]
    assert modules
    for module in modules:
        found = {m for m in imports_of(module) if m.startswith(FORBIDDEN[layer])}
        assert not found, f"{module} imports {sorted(found)}"
