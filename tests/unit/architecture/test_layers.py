"""The layers' arrows point inward, and capabilities meet only through public names.

Walks every module under src/omniloom with ``ast`` (nothing is imported, so the test is fast and
cannot be fooled by import side effects) and fails naming the file, line and rule that broke.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import omniloom

SOURCE = Path(omniloom.__file__).parent

# Only the composition roots may wire the store into the web layer.
COMPOSITION_ROOTS = {"omniloom.api.app"}
# Third-party packages that are web framework or I/O, kept out of the inner layers.
FRAMEWORKS = ("litestar", "uvicorn", "httpx")
# Randomness too: the domain's results follow from its inputs (ids' random bits come from
# services/kernel/ids.py). The wall clock is next, once SystemClock leaves domain/clock.py.
DOMAIN_MAY_NOT_USE = ("sqlalchemy", "aiosqlite", "asyncpg", "random", "secrets", *FRAMEWORKS)


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    path: Path
    line: int
    target: str  # the imported module, dotted
    names: tuple[str, ...]  # names taken from it (from-imports)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SOURCE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_in(root: Path = SOURCE) -> Iterator[Import]:
    for path in sorted(root.rglob("*.py")):
        module = _module_name(path)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield Import(module, path, node.lineno, alias.name, ())
            elif isinstance(node, ast.ImportFrom):
                target = node.module or ""
                if node.level:
                    base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    target = f"{base}.{target}" if target else base
                yield Import(module, path, node.lineno, target, tuple(a.name for a in node.names))


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _capability(module: str) -> str | None:
    """``omniloom.services.pos.sales`` → ``omniloom.services.pos``."""
    parts = module.split(".")
    return ".".join(parts[:3]) if len(parts) >= 4 and parts[1] == "services" else None


def violations(found: list[Import]) -> list[str]:
    broken = []
    for imp in found:
        where = f"{imp.path.relative_to(SOURCE.parent)}:{imp.line}"
        target, module = imp.target, imp.module
        if _within(module, "omniloom.domain"):
            ours = _within(target, "omniloom") and not _within(target, "omniloom.domain")
            if ours or target.split(".")[0] in DOMAIN_MAY_NOT_USE:
                broken.append(f"{where}: the domain imports {target}")
        if _within(module, "omniloom.store") and (
            _within(target, "omniloom.services") or _within(target, "omniloom.api")
        ):
            broken.append(f"{where}: the store imports {target}, an outer layer")
        outer = _within(target, "omniloom.api") or target.split(".")[0] in FRAMEWORKS
        if _within(module, "omniloom.services") and outer:
            broken.append(f"{where}: a service imports {target}")
        api = _within(module, "omniloom.api") and module not in COMPOSITION_ROOTS
        if api and _within(target, "omniloom.store"):
            broken.append(f"{where}: the API reaches into the store ({target})")
        if _within(module, "omniloom.api.controllers") and _within(
            target, "omniloom.api.controllers"
        ):
            broken.append(f"{where}: a controller imports another controller ({target})")
        own, theirs = _capability(module), _capability(target)
        if theirs is not None and own != theirs:
            private = [name for name in imp.names if name.startswith("_")]
            if private or target.rpartition(".")[2].startswith("_"):
                broken.append(f"{where}: reaches into {target}'s private {private or target}")
    return broken


def test_the_layers_point_inward_and_capabilities_use_public_names() -> None:
    broken = violations(list(imports_in()))
    assert not broken, "Layering broken:\n" + "\n".join(broken)


@pytest.mark.parametrize(
    ("module", "target", "names", "rule"),
    [
        ("omniloom.domain.money", "omniloom.store.raw", (), "the domain imports"),
        ("omniloom.domain.money", "sqlalchemy", (), "the domain imports"),
        ("omniloom.store.raw", "omniloom.services.kernel.unit", (), "the store imports"),
        ("omniloom.services.carts.cart", "litestar", (), "a service imports"),
        ("omniloom.services.carts.cart", "omniloom.api.auth", (), "a service imports"),
        ("omniloom.api.controllers.carts", "omniloom.store.cart_queries", (), "the API reaches"),
        (
            "omniloom.api.controllers.pos_offline",
            "omniloom.api.controllers.pos",
            ("Tender",),
            "a controller imports",
        ),
        (
            "omniloom.services.returns.exchanges",
            "omniloom.services.pos.receipts",
            ("_merged",),
            "private",
        ),
    ],
)
def test_a_planted_violation_is_caught(
    module: str, target: str, names: tuple[str, ...], rule: str
) -> None:
    planted = Import(module, SOURCE / "planted.py", 1, target, names)
    assert any(rule in message for message in violations([planted]))


def test_a_capability_may_use_its_own_private_names() -> None:
    own = Import(
        "omniloom.services.pos.payment",
        SOURCE / "x.py",
        1,
        "omniloom.services.pos.receipts",
        ("_merged",),
    )
    assert violations([own]) == []
