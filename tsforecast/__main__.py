"""``python -m tsforecast``: the same as the ``tsforecast`` command."""

from .cli import main

main()
