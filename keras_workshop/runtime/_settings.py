"""A recipe's one settings cell: its values in a notebook, its command-line options as a script."""

from __future__ import annotations

import argparse
import io
import re
import tokenize
import typing

from keras_workshop.runtime._kernel import in_notebook
from keras_workshop.runtime._recipe import add_runtime_arguments

_SETTING = re.compile(r"^([A-Z][A-Z0-9_]*)\s*:")


def recipe_settings(
    namespace: dict,
    description: str,
    out: str,
    saved_models: bool = True,
    resume: bool = True,
    argv: typing.Sequence[str] | None = None,
) -> tuple[argparse.Namespace, argparse.ArgumentParser]:
    """Reads a recipe's settings cell: every UPPER_CASE name annotated with how to read it.

    A settings cell is one block of lines `NAME: kind = default  # help`,
    where `kind` is one of the runtime's argparse types (`positive_int`,
    `fraction`, `fractions`, ...) or `list[kind]` for several values. As a
    script, each is an option (`EPOCHS` is `--epochs`; `--help` lists them
    with their comments), with the shared options (`--seed`, `--out`, the
    devices; `add_runtime_arguments`); an option given on the command line
    replaces the value in `namespace`, so the code below the cell reads the
    names as they are. A bad value exits 2 naming it, as argparse does. In a
    Jupyter kernel (`in_notebook`) the command line is the kernel's, never
    read: the cell's own values are checked by the same kinds, and the shared
    options keep their defaults.

    Args:
        namespace: the recipe's `globals()`.
        description: the recipe's one-line description, for `--help`.
        out: the default output folder.
        saved_models, resume: as in `add_runtime_arguments`.
        argv: the command line; by default `sys.argv[1:]`, or none in a notebook.

    Returns:
        `(args, parser)`: every option's value (`args.epochs`, `args.seed`, ...)
        and the parser, for `start_runtime` and for `parser.error`.

    Example:

    >>> from keras_workshop.runtime import positive_int
    >>> cell = {"__annotations__": {"EPOCHS": positive_int}, "EPOCHS": 60}
    >>> args, _ = recipe_settings(cell, "An example.", out="runs/example", argv=["--epochs", "3"])
    >>> cell["EPOCHS"], args.epochs, args.seed
    (3, 3, 42)
    """
    names = [name for name in namespace.get("__annotations__", {}) if _SETTING.match(f"{name}:")]
    helps = _comments(namespace.get("__file__"))
    parser = argparse.ArgumentParser(description=description)
    for name in names:
        kind, default = namespace["__annotations__"][name], namespace[name]
        many = typing.get_origin(kind) is list
        parse = typing.get_args(kind)[0] if many else kind
        if not callable(parse):
            raise ValueError(f"recipe_settings: `{name}` must be annotated with an argparse type, got {kind!r}.")
        option = "--" + name.lower().replace("_", "-")
        parser.add_argument(option, type=parse, nargs="+" if many else None, default=default, dest=name.lower(),
                            help=f"{helps.get(name, '')} (default {' '.join(map(str, default)) if many else _shown(default)})")
    add_runtime_arguments(parser, out=out, saved_models=saved_models, resume=resume)
    notebook = argv is None and in_notebook()
    args = parser.parse_args([] if notebook else argv)
    if notebook:  # the cell's values, checked as the command line's would be
        for name in names:
            kind, value = namespace["__annotations__"][name], namespace[name]
            if value is None:  # "none given" (a default folder, say): nothing to check
                continue
            text = [_shown(item) for item in value] if typing.get_origin(kind) is list else [_shown(value)]
            setattr(args, name.lower(), parser.parse_args([f"--{name.lower().replace('_', '-')}", *text]).__dict__[
                name.lower()])
    for name in names:
        namespace[name] = getattr(args, name.lower())
    return args, parser


def _shown(value) -> str:
    """A value as it is written on a command line (a list of fractions as `0,0.5`)."""
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value))
    return str(value)


def _comments(path: str | None) -> dict[str, str]:
    """`{NAME: its line's comment}` for the settings lines of a recipe's source file."""
    if not path or not path.endswith(".py"):
        return {}
    try:
        with open(path, "rb") as file:
            tokens = list(tokenize.tokenize(io.BytesIO(file.read()).readline))
    except (OSError, SyntaxError, tokenize.TokenError):
        return {}
    comments, lines = {}, {}
    for token in tokens:
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.string.lstrip("#").strip()
        elif token.type == tokenize.NAME and token.start[1] == 0 and _SETTING.match(token.line):
            lines[token.string] = token.start[0]
    return {name: comments[line] for name, line in lines.items() if line in comments}
