"""The paths the command line reads and writes, as click parameter types."""

from __future__ import annotations

import os
from pathlib import Path

import click

__all__ = ["FILE"]


class _FilePath(click.Path):
    """A file's path; one written with a trailing separator (``out/``) names a folder,
    which click's Path dropped silently (``--out out/`` wrote a file called ``out``)."""

    def __init__(self):
        super().__init__(dir_okay=False, path_type=Path)

    def convert(self, value, param, ctx):
        text = os.fspath(value) if isinstance(value, os.PathLike) else value
        if isinstance(text, str) and text.endswith(("/", os.sep)) and text.strip("/" + os.sep):
            self.fail(f"must name a file; got {text!r}, a folder (add a file name after the separator).", param, ctx)
        return super().convert(value, param, ctx)


FILE = _FilePath()
