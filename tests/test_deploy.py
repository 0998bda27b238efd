"""deploy/: the systemd units and the crontab name the same jobs, each an existing command, and systemd accepts them."""
import getpass
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
FLASK = re.compile(r"\.venv/bin/flask --app wsgi ([a-z -]+?)\s*(?:\||$)", re.MULTILINE)


def _jobs_of(text: str) -> set[str]:
    return {command.strip() for command in FLASK.findall(text)}


def test_the_timers_and_the_crontab_run_the_same_existing_commands(app, runner):
    units = _jobs_of("\n".join(p.read_text() for p in (DEPLOY / "systemd").glob("pass-numerique-*.service")))
    assert units == _jobs_of((DEPLOY / "crontab").read_text())
    assert units == {"campaigns expire-due", "beneficiaries purge", "claims notify"}
    for job in units:
        assert (DEPLOY / "systemd" / f"pass-numerique-{_unit_name(job)}.timer").is_file()
        result = runner.invoke(args=[*job.split(), "--help"])
        assert result.exit_code == 0, result.output


def _unit_name(job: str) -> str:
    return {"campaigns expire-due": "expire", "beneficiaries purge": "purge", "claims notify": "notify"}[job]


def test_systemd_accepts_the_units_and_timers(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed: the units are checked only with systemd's own tool")
    user = getpass.getuser()
    (tmp_path / "env").write_text("FLASK_ENV=production\n")
    for unit in (DEPLOY / "systemd").iterdir():
        text = unit.read_text().replace("/srv/pass-numerique", str(ROOT))  # where the code is here
        text = text.replace("/etc/pass-numerique/env", str(tmp_path / "env"))
        text = re.sub(r"^(User|Group)=pass-numerique$", rf"\1={user}", text, flags=re.MULTILINE)
        (tmp_path / unit.name).write_text(text)
    if not (ROOT / ".venv/bin/gunicorn").exists():
        pytest.skip("no .venv here (run `make venv`): systemd checks that ExecStart's programs exist")
    units = sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".service", ".timer"))
    verified = subprocess.run(["systemd-analyze", "verify", "--man=no", *units], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)
    assert verified.returncode == 0 and not verified.stderr.strip(), verified.stderr
