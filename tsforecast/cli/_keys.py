"""Where the signing key of a model file comes from: --key-env, --key-file or
$TSFORECAST_MODEL_KEY, never the command line itself; checked before any work."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..exceptions import InvalidParameterError

__all__ = ["key_options", "read_key"]


def key_options(command):
    """Where the signing key of a model file comes from (never the command line itself)."""
    options = [
        click.option("--key-env", metavar="NAME",
                     help="Sign (fit) or verify (predict) the model file with the key held in environment "
                          "variable NAME. Default: $TSFORECAST_MODEL_KEY when it is set, else no signature."),
        click.option("--key-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="Sign or verify with the key in this file (surrounding whitespace removed)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def read_key(key_env: str | None, key_file: Path | None) -> bytes | None:
    """The key from --key-env or --key-file; None lets the library read $TSFORECAST_MODEL_KEY.
    Every key is checked here, before any work, as the model file's writer and reader check it."""
    from ..storage.model_files import resolve_key

    if key_env is not None and key_file is not None:
        raise click.UsageError("give --key-env or --key-file, not both.")
    if key_env is not None:
        value = os.environ.get(key_env)
        if not value:
            raise click.BadParameter(f"environment variable {key_env!r} is not set or is empty.",
                                     param_hint="--key-env")
        # the raw bytes, as --key-file reads them: a key need not be valid UTF-8
        key, option, where = os.fsencode(value), "--key-env", f"the key in environment variable {key_env!r}"
    elif key_file is not None:
        key, option, where = key_file.read_bytes().strip(), "--key-file", f"the key file {str(key_file)!r}"
        if not key:
            raise click.BadParameter(f"{where} is empty.", param_hint=option)
    else:
        resolve_key(None)  # $TSFORECAST_MODEL_KEY, when set: its errors name it
        return None
    try:
        return resolve_key(key)
    except InvalidParameterError as error:  # too short: said of the option, not of "key"
        message = str(error).replace("key must", "a key must", 1)
        raise click.BadParameter(f"{where}: {message}", param_hint=option) from None
