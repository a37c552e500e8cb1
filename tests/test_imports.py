"""The package's imports follow the flow the README describes: content → maps → site → pipeline →
plugin → commands → cli, over a base of shared pieces (French formatting, addresses, caches,
configuration). Every import is read from the source (also those inside functions): an edge that
goes up the flow, or any cycle between modules, is refused, naming the file and line."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "scripts" / "atlas"

# Lower first; a module may import its own layer (without a cycle) and any layer below.
LAYERS = [
    ("base", ["atlas", "atlas.fr", "atlas.i18n", "atlas.urls", "atlas.caches", "atlas.workers", "atlas.config"]),
    ("content", ["atlas.content"]),
    ("maps", ["atlas.maps"]),
    ("site", ["atlas.site"]),
    ("pipeline", ["atlas.pipeline"]),
    ("plugin", ["atlas.plugin", "atlas.editions"]),
    ("commands", ["atlas.commands"]),
    ("cli", ["atlas.cli"]),
]
# Only these speak to MkDocs itself: the rest of the atlas runs without knowing its engine.
ENGINE_MODULES = {"atlas.config", "atlas.plugin", "atlas.editions", "atlas.commands.build"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> list[tuple[str, int]]:
    """(imported module, line) for every import of `path`, resolved to the package's modules."""
    out = []
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            # `from atlas.site import pages`: the submodule when it is one, else the module itself
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        out += [(t, node.lineno) for t in targets]
    return out


def _layer(module: str) -> int:
    best = None
    for rank, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if best is None or len(prefix) > best[1]:
                    best = (rank, len(prefix))
    assert best is not None, f"{module} n'a pas de couche : ajoutez-le à LAYERS"
    return best[0]


def _graph() -> dict[str, list[tuple[str, int]]]:
    modules = _modules()
    known = set(modules)
    return {name: [(t, line) for t, line in _imports(name, path, known) if t in known and t != name]
            for name, path in modules.items()}


def test_every_import_goes_down_the_flow_or_stays_in_its_layer():
    upward = []
    for name, edges in _graph().items():
        for target, line in edges:
            if target == "atlas":  # the package's root (SITE_NAME, AtlasError): the base
                continue
            if _layer(target) > _layer(name):
                upward.append(f"{_modules()[name].relative_to(PACKAGE.parent)}:{line}: {name} importe {target}, "
                              f"couche {LAYERS[_layer(target)][0]} au-dessus de {LAYERS[_layer(name)][0]}")
    assert not upward, "\n".join(upward)


def test_no_two_modules_import_each_other_even_through_others():
    graph = {name: sorted({t for t, _ in edges if t != "atlas"}) for name, edges in _graph().items()}
    cycles, state = [], {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = "open"
        for nxt in graph.get(node, []):
            if state.get(nxt) == "open":
                cycles.append(" → ".join(stack[stack.index(nxt):] + [node, nxt] if nxt in stack else [node, nxt]))
            elif nxt not in state:
                visit(nxt, stack + [node])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
    assert not cycles, "\n".join(cycles)


def test_only_the_engine_adapters_import_mkdocs():
    """The atlas's logic stays independent of its engine (MkDocs today, ProperDocs as the exit)."""
    offenders = []
    for name, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            mods = ([a.name for a in node.names] if isinstance(node, ast.Import)
                    else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(m == "mkdocs" or m.startswith(("mkdocs.", "material")) for m in mods) and name not in ENGINE_MODULES:
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {name}")
    assert not offenders, "\n".join(offenders)


def test_the_import_walk_sees_an_upward_edge(tmp_path):
    """The walk itself is not blind: a content module importing a command is caught."""
    fake = tmp_path / "atlas" / "content"
    fake.mkdir(parents=True)
    (fake / "x.py").write_text("def f():\n    from atlas.commands import new\n", encoding="utf-8")
    found = _imports("atlas.content.x", fake / "x.py", {"atlas.commands.new", "atlas.content.x"})
    assert found == [("atlas.commands.new", 2)] and _layer("atlas.commands.new") > _layer("atlas.content.x")
