"""The analyst commands started by ``manage.py`` without ``django.setup()``, and the methods without Django."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent.parent


def _python(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env or dict(os.environ), capture_output=True, text=True, check=False
    )


def test_manage_py_runs_the_analyst_commands_without_loading_any_app(tmp_path):
    path = tmp_path / "small.csv"
    path.write_text("income,w,county\n100,1,A\n200,1,A\n300,2,B\n")
    args = [str(path), "--income", "income", "--weight", "w", "--by", "county", "--line", "250"]
    started = _python("-X", "importtime", "manage.py", "poverty_measures", *args)
    assert started.returncode == 0, started.stderr
    imported = {line.split("|")[-1].strip() for line in started.stderr.splitlines() if line.startswith("import time")}
    assert "indicators.management.csvinput" in imported  # (importlib's own imports are not timed)
    assert not {"households.models", "indicators.models", "django.contrib.admin", "rest_framework", "pandas"} & imported
    expected = StringIO()
    call_command("poverty_measures", *args, stdout=expected)
    assert json.loads(started.stdout) == json.loads(expected.getvalue())
    # Errors as from any command: the message on stderr, exit status 1.
    failed = _python("manage.py", "mpi", str(path), "--indicator", "nope:1", "--k", "1")
    assert failed.returncode == 1
    message = f"CommandError: --indicator: no column 'nope' in {path} (columns: income, w, county)"
    assert failed.stderr.strip() == message


def test_manage_py_help_still_lists_the_analyst_commands():
    listed = _python("manage.py", "help")
    assert listed.returncode == 0, listed.stderr
    commands = listed.stdout.split("[indicators]")[1].split("[")[0].split()
    assert {"mpi", "poverty_measures", "recompute"} <= set(commands)


def test_methods_import_without_django_settings():
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    code = (
        "import sys\n"
        "import pandas as pd\n"
        "from indicators.methods import alkire_foster, poverty\n"
        "frame = pd.DataFrame({'income': [100, 200, 300, 400]})\n"
        "table = poverty.poverty_measures(frame, income='income', line=250)\n"
        "result = alkire_foster.alkire_foster([[13.1, 14, 4, 1], [15.2, 7, 5, 0], [12.5, 10, 1, 0], [20, 11, 3, 1]],"
        " [13, 12, 3, 1], k=0.5)\n"
        "print(table.loc[0, 'headcount_ratio'], round(result.M1, 6), 'django' in sys.modules)\n"
    )
    ran = _python("-c", code, env=env)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == ["0.5", "0.205529", "False"]
