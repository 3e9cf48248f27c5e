"""A recipe as a Jupyter notebook, keras-io's way: the header a title cell, each `\"\"\"## ...\"\"\"` block a Markdown cell."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import textwrap

_HEADER_FIELD = re.compile(r"^(Title|Description):\s*(.*)$")
_COLAB = "https://colab.research.google.com"
_PROJECT = "keras-workshop"
_NO_DEPS = "requirements-no-deps.txt"
_KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


def recipe_cells(source: str) -> list[tuple[str, str]]:
    """Splits a recipe's source into `(kind, text)` cells, kind `"markdown"` or `"code"`.

    The first statement must be the docstring header (`Title:`, `Description:`,
    then free text); it becomes one Markdown cell, `# <title>` first. Every
    other string statement at the left margin that opens with `\"\"\"` becomes
    a Markdown cell of its text; the code between two of them, one code cell.
    Blank code is left out; lines end in `\n` (`\r\n` and `\r` become `\n`).

    Example:

    >>> recipe_cells('\"\"\"\\nTitle: T\\nDescription: D\\n\"\"\"\\nx = 1\\n\"\"\"\\n## Part\\n\"\"\"\\nprint(x)\\n')
    [('markdown', '# T\\n\\n**Description:** D'), ('code', 'x = 1'), ('markdown', '## Part'), ('code', 'print(x)')]
    """
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    try:
        module = ast.parse(source)
    except (SyntaxError, ValueError) as error:  # ValueError: a NUL byte, on some Pythons
        raise ValueError(f"recipe_cells: the recipe is not valid Python ({error}).") from None
    lines = source.split("\n")  # as Python counts lines (str.splitlines also splits at \x1c-\x1e, \x85, ...)
    blocks = [statement for statement in module.body if _is_markdown(statement, lines)]
    if not blocks or blocks[0] is not module.body[0]:
        raise ValueError("recipe_cells: a recipe opens with its docstring header (`\"\"\"` then `Title: ...`).")
    cells, start = [], 0
    for block in blocks:
        cells.append(("code", "\n".join(lines[start:block.lineno - 1]).strip("\n")))
        cells.append(("markdown", textwrap.dedent(block.value.value).strip("\n")))
        start = block.end_lineno
    cells.append(("code", "\n".join(lines[start:]).strip("\n")))
    cells = [(kind, text) for kind, text in cells if text.strip()]
    cells[0] = ("markdown", _title(cells[0][1]))
    return cells


def recipe_to_notebook(path: str, repository: str | None = None):
    """The notebook of the recipe at `path` (an `nbformat` v4 notebook without outputs).

    A title cell from the header, with an "Open in Colab" badge when
    `repository` (a GitHub address) is known; then a cell that installs the
    package and its data when the notebook runs where `keras_workshop` is not
    installed (Colab, say), and does nothing where it is; then the recipe's
    cells (`recipe_cells`). Cell ids come from positions (`<recipe>-<index>`),
    so converting the same source twice gives the same bytes.

    Args:
        path: a recipe file, `recipes/<name>.py`.
        repository: `https://github.com/<owner>/<name>`; by default the
            project's `Repository` URL (`pyproject.toml`).
    """
    name = os.path.basename(path).removesuffix(".py")
    with open(path, encoding="utf-8") as file:
        cells = recipe_cells(file.read())
    title = cells[0][1].split("\n\n", 1)
    source_note = (f"This notebook is generated from [`recipes/{name}.py`](../recipes/{name}.py) "
                   "(`make notebooks`): edit the recipe, not the notebook.")
    cells[0] = ("markdown", "\n\n".join([title[0], colab_badge("notebooks", name, repository), *title[1:],
                                         source_note]))
    return assemble(name, cells, path, repository)


def assemble(name: str, cells: list, source_path: str, repository: str | None = None, metadata: list | None = None):
    """An nbformat v4 notebook of `cells` (`(kind, text)`), the install cell second, ids `<name>-<index>`.

    `metadata`, one dict per cell of `cells` (or None), is each cell's metadata.
    """
    import nbformat

    repository = project_repository() if repository is None else repository
    metadata = list(metadata) if metadata is not None else [{} for _ in cells]
    cells = [cells[0], ("code", install_cell(repository, _no_deps_requirements(source_path))), *cells[1:]]
    metadata.insert(1, {})
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": dict(_KERNEL), "language_info": {"name": "python"}})
    for index, ((kind, text), extra) in enumerate(zip(cells, metadata)):
        new = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        notebook.cells.append(new(text, id=f"{name.replace('_', '-')}-{index}", metadata=dict(extra)))
    nbformat.validate(notebook)
    return notebook


def colab_badge(folder: str, name: str, repository: str | None = None) -> str:
    """The Markdown of an "Open in Colab" badge for `<folder>/<name>.ipynb` on the repository's main branch."""
    repository = project_repository() if repository is None else repository
    return (f"[![Open In Colab]({_COLAB}/assets/colab-badge.svg)]({_COLAB}/github/"
            f"{repository.removeprefix('https://github.com/')}/blob/main/{folder}/{name}.ipynb)")


def install_cell(repository: str, no_deps: list[str]) -> str:
    """The notebook's first code cell: installs the package where it is missing, does nothing where it is there.

    Example:

    >>> print(install_cell("https://github.com/o/r", ["recbole==1.2.1"]).splitlines()[-1].strip())
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "recbole==1.2.1"], check=True)
    """
    packages = ", ".join(f'"{requirement}"' for requirement in no_deps)
    return (
        "# Outside this repository (Colab, say), install the workshop and its data; inside it (`make lab`), this\n"
        "# cell does nothing. The last two packages come without their dependencies, as the Makefile installs them.\n"
        "import importlib.util\nimport subprocess\nimport sys\n\n"
        'if importlib.util.find_spec("keras_workshop") is None:\n'
        f'    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", '
        f'"{_PROJECT}[lab] @ git+{repository}"], check=True)\n'
        f'    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", {packages}], '
        "check=True)"
    )


def project_repository() -> str:
    """The project's GitHub address: the `Repository` entry of `[project.urls]` in `pyproject.toml`."""
    try:
        urls = importlib.metadata.metadata(_PROJECT).get_all("Project-URL") or []
    except importlib.metadata.PackageNotFoundError:
        urls = []
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "repository":
            return url.strip()
    raise ValueError(f"project_repository: `{_PROJECT}` is not installed with a `Repository` URL in "
                     "[project.urls] of pyproject.toml; run `make setup`.")


def _is_markdown(statement: ast.stmt, lines: list[str]) -> bool:
    return (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str) and lines[statement.lineno - 1].startswith('"""'))


def _title(header: str) -> str:
    """`# <Title>` and `**Description:** ...` from a keras-io header, then the header's other paragraphs."""
    fields, rest, current = {}, [], None
    paragraphs = header.split("\n\n")
    for line in paragraphs[0].splitlines():
        match = _HEADER_FIELD.match(line)
        if match:
            current = match.group(1)
            fields[current] = match.group(2).strip()
        elif current:
            fields[current] += " " + line.strip()
    if "Title" not in fields:
        raise ValueError("recipe_cells: the header's first paragraph must name the recipe (`Title: ...`).")
    rest = paragraphs[1:]
    description = [f"**Description:** {fields['Description']}"] if "Description" in fields else []
    return "\n\n".join([f"# {fields['Title']}", *description, *rest])


def _no_deps_requirements(source: str) -> list[str]:
    """The packages installed with `--no-deps`: `requirements-no-deps.txt` in the first folder above `source` with one."""
    folder = os.path.dirname(os.path.abspath(source))
    while not os.path.exists(os.path.join(folder, _NO_DEPS)):
        if os.path.dirname(folder) == folder:
            raise ValueError(f"No {_NO_DEPS} in any folder above {source!r}: it lists the packages the notebooks "
                             "install with --no-deps.")
        folder = os.path.dirname(folder)
    with open(os.path.join(folder, _NO_DEPS), encoding="utf-8") as file:
        return [line.split("#")[0].strip() for line in file if line.split("#")[0].strip()]
