"""Under CI=true a skip that tests/conftest.py does not declare fails the run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CONFTEST = Path(__file__).with_name("conftest.py")
TESTS = '''
import pytest
def test_undeclared_skip():
    pytest.skip("the test extra's package is not installed")
def test_declared_skip():
    pytest.skip("already conformal")
'''


def _run(tmp_path: Path, ci: str, module: str = TESTS) -> str:
    folder = tmp_path / "tests"
    folder.mkdir(exist_ok=True)
    shutil.copy(CONFTEST, folder / "conftest.py")
    (folder / "test_predict_interval_all.py").write_text(module)  # a file ALLOWED_SKIPS names
    env = {**os.environ, "CI": ci}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(folder)],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.slow
def test_undeclared_skips_fail_under_ci_only(tmp_path):
    assert _run(tmp_path, "true").startswith("1 failed, 1 skipped")
    assert _run(tmp_path, "").startswith("2 skipped")


@pytest.mark.slow
def test_module_level_importorskip_fails_under_ci(tmp_path):
    module = 'import pytest\nmissing = pytest.importorskip("no_such_module_tsforecast")\ndef test_x():\n    pass\n'
    assert "1 error" in _run(tmp_path, "true", module)
    assert _run(tmp_path, "", module).startswith("1 skipped")
