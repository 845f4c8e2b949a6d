"""The layout holds: other packages use a package only through its public API (its
`__init__.py`, or a public subpackage), and ARCHITECTURE.md names every package. The layer
rule itself is checked by import-linter in `make lint` (contracts in pyproject.toml)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["common", "claims", "study", "arguments", "surveys", "analysis", "fieldwork", "flows"]
PUBLIC_SUBPACKAGES = {
    "study.store",
    "study.importers",
    "surveys.app",
    "fieldwork.platforms",
    "arguments.providers",
}


def cross_package_imports(package: str) -> list[tuple[str, str]]:
    """(file, module) for every `from X import ...` of another project package."""
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                top = node.module.split(".")[0]
                if top in [*PACKAGES, "cli"] and top != package:
                    found.append((str(path.relative_to(ROOT)), node.module))
    return found


def is_public(module: str) -> bool:
    return "." not in module or module in PUBLIC_SUBPACKAGES or module.startswith("flows.")


def test_packages_use_each_other_only_through_their_public_api() -> None:
    private = [
        f"{file}: from {module} import ..."
        for package in [*PACKAGES, "cli"]
        for file, module in cross_package_imports(package)
        if not is_public(module)
    ]
    assert private == []


def test_architecture_md_names_every_package() -> None:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    missing = [p for p in [*PACKAGES, "cli"] if f"`{p}/`" not in text]
    assert missing == []


def test_modules_and_functions_stay_small() -> None:
    """STYLE.md: modules under 400 lines, functions under 60 (migrations are generated)."""
    too_big = []
    for package in [*PACKAGES, "cli"]:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            name = str(path.relative_to(ROOT))
            if text.count("\n") > 400:
                too_big.append(f"{name}: {text.count(chr(10))} lines")
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    length = (node.end_lineno or node.lineno) - node.lineno + 1
                    if length > 60:
                        too_big.append(f"{name}: {node.name}() {length} lines")
    assert too_big == []
