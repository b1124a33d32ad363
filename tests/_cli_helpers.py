"""Running the ``tsforecast`` command in tests, as a user would, and reading its answer."""

from __future__ import annotations

import pytest

from tsforecast.cli import main


def run(capsys, *args) -> tuple[int, str, str]:
    """Run ``tsforecast args`` through :func:`main`: exit status, stdout, stderr."""
    with pytest.raises(SystemExit) as stop:
        main([str(a) for a in args])
    captured = capsys.readouterr()
    return stop.value.code, captured.out, captured.err


def one_line_error(err: str) -> str:
    """The one ``Error: ...`` line a refusal prints (asserted to be alone and without a traceback)."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("Error: ") and "Traceback" not in err
    return lines[0]


def backtest_outputs(capsys, paths, *args) -> tuple[dict, str]:
    """``tsforecast backtest --data path *args`` for each of ``paths``, each asserted to
    succeed: what each printed, by file name, and the last one's stderr (its notes)."""
    outputs, err = {}, ""
    for path in paths:
        status, outputs[path.name], err = run(capsys, "backtest", "--data", path, *args)
        assert status == 0, err
    return outputs, err
