"""Recipes to notebooks: keras-io's cells, committed notebooks equal to what the converter writes."""

import glob
import json
import os
import subprocess
import sys

import hypothesis.strategies as st
import nbformat
import pytest
from hypothesis import given

from keras_workshop.notebooks import install_cell, recipe_cells, recipe_to_notebook, with_settings, write_notebooks
from tests.conftest import REPO

RECIPES = sorted(glob.glob(os.path.join(REPO, "recipes", "*.py")))
HEADER = '"""\nTitle: A recipe\nDescription: What it shows,\non two lines.\n\nMore about it.\n"""\n'


def test_every_committed_notebook_is_what_the_converter_writes():
    assert write_notebooks(os.path.join(REPO, "recipes"), os.path.join(REPO, "notebooks"), check=True) == []
    assert sorted(os.listdir(os.path.join(REPO, "notebooks"))) == sorted(
        os.path.basename(path).replace(".py", ".ipynb") for path in RECIPES)


@pytest.mark.parametrize("recipe", RECIPES, ids=os.path.basename)
def test_each_notebook_is_valid_without_outputs_with_position_ids_and_the_recipes_code(recipe):
    path = os.path.join(REPO, "notebooks", os.path.basename(recipe).replace(".py", ".ipynb"))
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    name = os.path.basename(recipe).removesuffix(".py")
    assert [cell.id for cell in notebook.cells] == [f"{name.replace('_', '-')}-{i}" for i in range(len(notebook.cells))]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in notebook.cells if cell.cell_type == "code")
    title = notebook.cells[0].source
    assert title.startswith("# ") and f"colab.research.google.com/github/" in title and f"notebooks/{name}.ipynb" in title
    assert notebook.cells[1].source == install_cell(_repository(), _no_deps())
    code = [cell.source for cell in notebook.cells[2:] if cell.cell_type == "code"]
    source = open(recipe).read()
    assert all(block in source for block in code)  # each code cell is the recipe's text, as it is
    assert sum(1 for block in code for line in block.splitlines() if line.strip()) == sum(
        1 for line in _code_lines(source) if line.strip())  # and every code line is in one


def test_the_converter_run_twice_gives_the_same_bytes(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    write_notebooks(os.path.join(REPO, "recipes"), str(first))
    write_notebooks(os.path.join(REPO, "recipes"), str(second))
    for path in first.iterdir():
        assert path.read_bytes() == (second / path.name).read_bytes()


def test_check_reports_a_stale_a_missing_and_an_orphan_notebook(tmp_path):
    recipes, notebooks = tmp_path / "recipes", tmp_path / "notebooks"
    recipes.mkdir()
    (tmp_path / "requirements-no-deps.txt").write_text("recbole==1.2.1  # a comment\n")
    for name in "abc":
        (recipes / f"{name}.py").write_text(HEADER + f"print({name!r})\n")
    write_notebooks(str(recipes), str(notebooks), repository="https://github.com/o/r")
    (recipes / "a.py").write_text(HEADER + "print('changed')\n")
    (notebooks / "b.ipynb").unlink()
    (notebooks / "orphan.ipynb").write_text("{}")
    stale = write_notebooks(str(recipes), str(notebooks), check=True, repository="https://github.com/o/r")
    assert [os.path.basename(path) for path in stale] == ["orphan.ipynb", "a.ipynb", "b.ipynb"]
    (tmp_path / "labs" / "sources").mkdir(parents=True)
    (tmp_path / "labs" / "sources" / "lab0.py").write_text("# %% [markdown]\n# # A lab\n\n# %%\nx = 1\n")
    result = subprocess.run([sys.executable, "-m", "keras_workshop.notebooks", "--check", "--recipes", str(recipes),
                             "--notebooks", str(notebooks), "--labs", str(tmp_path / "labs")], capture_output=True,
                            text=True, cwd=tmp_path,
                            env=dict(os.environ, PYTHONPATH=REPO))
    assert result.returncode == 1 and "a.ipynb" in result.stderr and "make notebooks" in result.stderr
    assert "lab0.ipynb" in result.stderr  # not written yet


def test_header_markdown_and_code_cells_come_in_order():
    source = HEADER + 'import os\n\n"""\n## First part\n\nSome `code`.\n"""\n\nx = 1\n\n\ny = """not markdown"""\n' \
                      '"""\n## Second\n"""\n'
    assert recipe_cells(source) == [
        ("markdown", "# A recipe\n\n**Description:** What it shows, on two lines.\n\nMore about it."),
        ("code", "import os"), ("markdown", "## First part\n\nSome `code`."),
        ("code", 'x = 1\n\n\ny = """not markdown"""'), ("markdown", "## Second")]


markdown = st.text(st.characters(codec="ascii", exclude_characters='"\\\x00'), min_size=1).map(
    lambda text: "## " + text.strip() + " x")
code = st.sampled_from(["x = 1", "print('a')", "def f():\n    return 2", "for i in range(2):\n    pass"])


@given(st.lists(st.tuples(markdown, st.lists(code, min_size=0, max_size=3)), max_size=5))
def test_any_sequence_of_sections_comes_back_as_its_cells(sections):
    source = HEADER + "".join(f'"""\n{text}\n"""\n' + "".join(block + "\n" for block in blocks)
                              for text, blocks in sections)
    expected = [("markdown", "# A recipe\n\n**Description:** What it shows, on two lines.\n\nMore about it.")]
    for text, blocks in sections:
        expected.append(("markdown", text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")))  # lines end in \n
        if blocks:
            expected.append(("code", "\n".join(blocks)))
    assert recipe_cells(source) == expected


@pytest.mark.parametrize("source, message", [
    ("x = (", "not valid Python"),
    ("x = 1\n", "opens with its docstring header"),
    ("'''\nTitle: T\n'''\n", "opens with its docstring header"),
    ('"""\nDescription: no title\n"""\n', "must name the recipe"),
    ('"""\nA first paragraph.\n\nTitle: in the second\n"""\n', "must name the recipe"),
    ('"""\nTitle: T\n"""\nx = "\x00"\n', "not valid Python"),
])
def test_a_source_that_is_no_recipe_is_refused_saying_why(source, message):
    with pytest.raises(ValueError, match=message):
        recipe_cells(source)


def test_with_settings_changes_one_value_and_keeps_kind_and_comment():
    notebook = recipe_to_notebook(os.path.join(REPO, "recipes", "dropout_101.py"), "https://github.com/o/r")
    changed = with_settings(notebook, EPOCHS=2, MASKS=[1, 5])
    settings = next(cell.source for cell in changed.cells if "EPOCHS:" in cell.source)
    assert "EPOCHS: positive_int = 2  # epochs" in settings and "MASKS: list[positive_int] = [1, 5]  # how" in settings
    assert next(cell.source for cell in notebook.cells if "EPOCHS:" in cell.source) != settings  # a copy
    with pytest.raises(ValueError, match=r"`EPOCH` is not a setting of this notebook; its settings: EPOCHS, MASKS, "
                                         r"RATES"):
        with_settings(notebook, EPOCH=2)


def _repository():
    from keras_workshop.notebooks import project_repository

    return project_repository()


def _no_deps():
    with open(os.path.join(REPO, "requirements-no-deps.txt")) as file:
        return [line.split("#")[0].strip() for line in file if line.split("#")[0].strip()]


def _code_lines(source):
    """The recipe's lines outside its left-margin triple-quoted blocks."""
    import ast

    lines = source.splitlines()
    inside = set()
    for statement in ast.parse(source).body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) and \
                lines[statement.lineno - 1].startswith('"""'):
            inside.update(range(statement.lineno - 1, statement.end_lineno))
    return [line for i, line in enumerate(lines) if i not in inside]


def test_every_committed_lab_is_what_the_converter_writes_with_locked_checks_and_solution_loaders():
    from keras_workshop.notebooks import write_labs

    labs = os.path.join(REPO, "labs")
    assert write_labs(os.path.join(labs, "sources"), labs, check=True) == []
    for name in sorted(os.listdir(os.path.join(labs, "sources"))):
        notebook = nbformat.read(os.path.join(labs, name.replace(".py", ".ipynb")), as_version=4)
        nbformat.validate(notebook)
        cells = notebook.cells
        checks = [i for i, cell in enumerate(cells) if "check" in cell.metadata.get("tags", [])]
        assert checks and cells[-1].source == f'check.summary("{name[:-3]}")'
        for i in checks:
            exercise = cells[i].source.removeprefix("check.").removesuffix("()")
            assert cells[i].metadata["editable"] is False and cells[i].metadata["deletable"] is False
            assert cells[i - 1].source == f"# %load solutions/{name[:-3]}/{exercise}.py"  # commented: runs nothing
            assert "exercise" in cells[i - 2].metadata["tags"] and "..." in cells[i - 2].source
            assert os.path.exists(os.path.join(labs, "solutions", name[:-3], f"{exercise}.py"))


LAB = '# %% [markdown]\n# # A lab\n\n# %%\nfrom keras_workshop.labs import check\n\n'


@pytest.mark.parametrize("source, message", [
    (LAB + '# %% tags=["exercise"]\nx = ...\n\n# %%\nprint(x)\n', "the next cell is not its check"),
    (LAB + '# %% tags=["exercise"]\nx = ...\n\n# %% tags=["check"]\ncheck.x(); print(1)\n', "must hold only"),
    (LAB + '# %% tags=["check"]\ncheck.onehot()\n', "follow a cell tagged `exercise`"),
    (LAB + '# %% tags=["exercise"]\nonehot = ...\n\n# %% tags=["check"]\ncheck.onehot()\n', "no solution for `onehot`"),
    ('# %%\nx = 1\n', "opens with a Markdown title cell"),
])
def test_a_lab_source_that_breaks_the_layout_is_refused_naming_the_cell(tmp_path, source, message):
    from keras_workshop.notebooks import lab_to_notebook

    (tmp_path / "requirements-no-deps.txt").write_text("recbole==1.2.1\n")
    (tmp_path / "sources").mkdir()
    path = tmp_path / "sources" / "lab0_test.py"
    path.write_text(source)
    with pytest.raises(ValueError, match=message):
        lab_to_notebook(str(path), "https://github.com/o/r")
