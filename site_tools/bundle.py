"""Inline what a page's code imports from this project, so the code runs without the project.

A notebook must run in an empty folder with only published packages installed. Where a page's
code says ``from examples.linear_regression import main``, the notebook instead gets the source of
``main`` and of everything it needs from the project (other functions, classes, constants, and the
imports of published packages they use), in dependency order. A few definitions that only make
sense inside the project (where figures and data go) are replaced by notebook versions.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

PACKAGE = "examples"
SECTION_MARK = re.compile(r"^\s*# --8<-- \[(start|end):[\w-]+\]\s*$")

# Definitions that differ in a notebook, by (module, name). Their imports are listed with them.
NOTEBOOK_DEFINITIONS: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {
    ("paths", "PROJECT_ROOT"): (
        ("from pathlib import Path",),
        "PROJECT_ROOT = Path.cwd()  # in a notebook: the folder it runs in",
    ),
    ("paths", "FIGURES_ROOT"): (
        ("from pathlib import Path",),
        'FIGURES_ROOT = Path.cwd() / "outputs"  # files the examples save (weights)',
    ),
    ("common", "draw_in_languages"): (
        (),
        '''def draw_in_languages(draw, path, *args, **kwargs):
    """In a notebook: draw the figure once, in English, below the cell, in the site's style."""
    import matplotlib

    with matplotlib.rc_context(figure_style("en")):
        return {"en": draw(*args, **kwargs, language="en", path=path)}''',
    ),
    ("common", "save_figure"): (
        (),
        '''def save_figure(figure, path=None):
    """In a notebook, show the figure below the cell instead of writing a file."""
    import matplotlib.pyplot as plt
    from IPython.display import display

    display(figure)
    plt.close(figure)''',
    ),
}


class BundleError(ValueError):
    """A page imports something from the project that cannot be inlined."""


@dataclass
class Definition:
    module: str
    name: str
    order: int  # position in its module's source
    source: str
    uses: set[str] = field(default_factory=set)  # top-level names of its module it refers to


@dataclass
class Module:
    name: str
    definitions: dict[str, Definition]
    imports: dict[str, str]  # name -> the import statement that binds it (published packages)
    project_imports: dict[str, tuple[str, str]]  # name -> (module, name) inside the project


def _bound_names(node: ast.stmt) -> list[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.Assign):  # a = ..., and a, b = ... as well
        return [n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


def _used_names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _import_statement(node: ast.Import | ast.ImportFrom, alias: ast.alias) -> str:
    rename = f" as {alias.asname}" if alias.asname else ""
    if isinstance(node, ast.Import):
        return f"import {alias.name}{rename}"
    return f"from {node.module} import {alias.name}{rename}"


@cache
def load_module(root: Path, name: str) -> Module:
    """Read ``examples/<name>.py`` without importing it."""
    path = root / PACKAGE / f"{name}.py"
    if not path.is_file():
        raise BundleError(f"{PACKAGE}.{name} does not exist ({path.name} not found)")
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text, filename=str(path))
    lines = text.splitlines()
    definitions: dict[str, Definition] = {}
    imports: dict[str, str] = {}
    project: dict[str, tuple[str, str]] = {}
    for order, node in enumerate(tree.body):
        if isinstance(node, ast.Import | ast.ImportFrom):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            if module == "__future__":
                continue
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                if module and module.split(".")[0] == PACKAGE:
                    project[bound] = (module.split(".", 1)[1], alias.name)
                else:
                    imports[bound] = _import_statement(node, alias)
            continue
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        source = "\n".join(
            line for line in lines[first - 1 : node.end_lineno] if not SECTION_MARK.match(line)
        )
        uses = _used_names(node)
        if "__doc__" in uses:  # inlined code has no module docstring: a constant holds it
            constant = f"{name.upper()}_DOCSTRING"
            source = re.sub(r"\b__doc__\b", constant, source)
            uses = (uses - {"__doc__"}) | {constant}
            text_of = f"{constant} = {ast.get_docstring(tree)!r}"
            definitions[constant] = Definition(name, constant, -1, text_of, set())
        for bound in _bound_names(node):
            definitions[bound] = Definition(name, bound, order, source, uses)
    return Module(name, definitions, imports, project)


@dataclass
class Bundle:
    """The code that replaces a cell's project imports, and the cell without them."""

    helpers: str | None
    modules: list[str]  # the project modules the helpers come from, for the reader
    code: str


class Bundler:
    """Inline project imports cell by cell, never defining a name twice in one notebook."""

    def __init__(self, root: Path, replacements: dict | None = None) -> None:
        self.root = root
        self.defined: set[str] = set()
        # Definitions that differ outside the project: a notebook's by default.
        self.replacements = NOTEBOOK_DEFINITIONS if replacements is None else replacements

    def _resolve(self, module: str, name: str, needed: dict, seen: set) -> None:
        if (module, name) in seen:
            return
        seen.add((module, name))
        loaded = load_module(self.root, module)
        if (module, name) in self.replacements:
            needed[(module, name)] = None
            # A replacement may use its module's other names (figure_style): bring those too.
            replacement = ast.parse(self.replacements[(module, name)][1])
            for used in sorted(_used_names(replacement) - {name}):
                if used in loaded.definitions or used in loaded.project_imports:
                    self._resolve(module, used, needed, seen)
            return
        if name in loaded.project_imports:
            self._resolve(*loaded.project_imports[name], needed, seen)
            return
        if name in loaded.imports:
            needed[("import", loaded.imports[name])] = None
            return
        definition = loaded.definitions.get(name)
        if definition is None:
            raise BundleError(f"{PACKAGE}.{module} has no top-level name {name!r}")
        needed[(module, name)] = definition
        for used in sorted(definition.uses - {name}):
            if (
                used in loaded.definitions
                or used in loaded.imports
                or used in (loaded.project_imports)
            ):
                self._resolve(module, used, needed, seen)

    def _module_order(self, modules: set[str]) -> list[str]:
        ordered: list[str] = []

        def visit(module: str) -> None:
            if module in ordered:
                return
            for dependency, _ in load_module(self.root, module).project_imports.values():
                visit(dependency)
            ordered.append(module)

        for module in sorted(modules):
            visit(module)
        return [module for module in ordered if module in modules]

    def cell(self, code: str) -> Bundle:
        """Take the project imports out of ``code`` and return the definitions they stood for."""
        tree = ast.parse(code)
        lines = code.splitlines()
        needed: dict = {}
        drop: set[int] = set()
        for node in tree.body:
            if isinstance(node, ast.Import) and any(
                alias.name.split(".")[0] == PACKAGE for alias in node.names
            ):
                raise BundleError(f"write 'from {PACKAGE}.<module> import <name>', not: {code!r}")
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == PACKAGE:
                module = node.module.split(".", 1)[1]
                for alias in node.names:
                    if alias.asname:
                        raise BundleError(f"no 'as' in project imports, please: {alias.name}")
                    self._resolve(module, alias.name, needed, set())
                drop.update(range(node.lineno - 1, node.end_lineno))
        for index in sorted(drop):  # no run of blank lines where an import stood
            after = index + 1
            if (
                after not in drop
                and after < len(lines)
                and not lines[after].strip()
                and (index == 0 or not lines[index - 1].strip() or index - 1 in drop)
            ):
                drop.add(after)
        remaining = "\n".join(line for i, line in enumerate(lines) if i not in drop)
        remaining = re.sub(r"\A\s*\n", "", remaining)
        statements: list[str] = []
        definitions: list[str] = []
        modules = {key[0] for key in needed if key[0] != "import"}
        for key in needed:
            if key[0] == "import" and key[1] not in statements:
                statements.append(key[1])
        by_module: dict[str, list] = {}
        for key, definition in needed.items():
            if key[0] != "import":
                by_module.setdefault(key[0], []).append((key, definition))
        for module in self._module_order(modules):
            for (_, name), definition in sorted(
                by_module[module], key=lambda item: item[1].order if item[1] else -1
            ):
                if name in self.defined:
                    continue
                if (module, name) in self.replacements:
                    extra, source = self.replacements[(module, name)]
                    statements += [s for s in extra if s not in statements]
                else:
                    source = definition.source
                if source not in definitions:
                    definitions.append(source)
                self.defined.add(name)
        statements = [s for s in statements if _binds(s) not in self.defined]
        self.defined.update(_binds(s) for s in statements)
        self.note(remaining)
        if not definitions:
            return Bundle(None, [], remaining)
        imports = "\n".join(sorted(statements, key=_import_sort_key))
        helpers = imports + "\n\n\n" if imports else ""
        for previous, source in zip([None, *definitions], definitions, strict=False):
            blocks = previous is not None and (_is_block(previous) or _is_block(source))
            helpers += ("\n\n\n" if blocks else "\n" if previous else "") + source
        return Bundle(helpers, self._module_order(modules), remaining)

    def note(self, code: str) -> None:
        """Remember the names that a cell of the page itself defines."""
        try:
            tree = ast.parse(code)
        except SyntaxError:
            return
        for node in tree.body:
            self.defined.update(_bound_names(node))
            if isinstance(node, ast.Import | ast.ImportFrom):
                self.defined.update(
                    alias.asname or alias.name.split(".")[0] for alias in node.names
                )


def _is_block(source: str) -> bool:
    """A function or class (two blank lines around it), not a constant."""
    return source.lstrip().startswith(("def ", "class ", "@", "async def "))


def _binds(statement: str) -> str:
    return statement.rsplit(" ", 1)[-1].split(".")[0]


def _import_sort_key(statement: str) -> tuple[int, str, bool]:
    """Standard library first, then by module, ``import x`` before ``from x import y``."""
    module = statement.split()[1]
    group = 0 if module.split(".")[0] in sys.stdlib_module_names else 1
    return (group, module, statement.startswith("from"))
