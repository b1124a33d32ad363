"""``python -m tsforecast.cli``: the same as the ``tsforecast`` command."""

from . import main

main()
