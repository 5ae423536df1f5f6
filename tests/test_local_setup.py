"""The set-up that `make run` makes: mail links point to the server's port, and the
README's command lines run on it as shown (`.venv/bin/python manage.py …` with the
development `.env`), each naming a command that exists."""

import importlib.util
import re
import shutil
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import get_commands

README = settings.BASE_DIR / "README.md"
_spec = importlib.util.spec_from_file_location("dev_env", settings.BASE_DIR / "scripts" / "dev_env.py")
dev_env = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(dev_env)


def make_dry_run(*args):
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    result = subprocess.run(["make", "-n", *args], cwd=settings.BASE_DIR, capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin"}, check=True)
    return result.stdout.splitlines()


def settings_in_a_process(env_file, **env):
    """SITE_URL, DEBUG and the key's length as the real settings read them from `env_file`."""
    code = ("from django.conf import settings; "
            "print(settings.SITE_URL, settings.DEBUG, len(settings.SECRET_KEY))")
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=settings.BASE_DIR, capture_output=True, text=True, check=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "akishima_ict.settings",
             "ENV_FILE": str(env_file), **env},
    )
    return result.stdout.split()


@pytest.mark.parametrize(("args", "site_url"), [
    (["PORT=8001"], "http://127.0.0.1:8001"),
    ([], "http://127.0.0.1:8000"),
    (["PORT=8001", "SITE_URL=http://pc-12.city.example:8001"], "http://pc-12.city.example:8001"),
])
def test_make_run_gives_the_server_port_to_the_mail_links(args, site_url):
    lines = make_dry_run("run", *args)
    server = next(line for line in lines if "manage.py runserver" in line)
    worker = next(line for line in lines if "manage.py db_worker" in line)
    dev_env_line = next(line for line in lines if "scripts/dev_env.py" in line)
    assert f"SITE_URL={site_url} " in server and f"SITE_URL={site_url} " in worker
    assert f"--site-url {site_url} " in dev_env_line
    port = "8001" if "PORT=8001" in args else "8000"
    assert server.endswith(f"runserver 127.0.0.1:{port}")


@pytest.mark.parametrize(("target", "command"), [("bench", "manage.py bench"), ("load", "scripts/load/run.py")])
def test_bench_and_load_never_read_the_development_env_file(target, command):
    """Its DATABASE_URL would point them at the developer's own database."""
    line = next(line for line in make_dry_run(target) if command in line)
    assert line.startswith("ENV_FILE= ")


def test_the_development_env_file_gives_debug_a_key_and_the_port(tmp_path):
    env_file = tmp_path / ".env"
    dev_env.write_dev_env(env_file, "http://127.0.0.1:8001")
    key = re.search(r"^SECRET_KEY=(.*)$", env_file.read_text(), re.MULTILINE).group(1)
    assert len(key) >= 50
    assert settings_in_a_process(env_file) == ["http://127.0.0.1:8001", "True", str(len(key))]

    # make run on another port later: the links follow, the key stays.
    dev_env.write_dev_env(env_file, "http://127.0.0.1:8002")
    assert settings_in_a_process(env_file)[0] == "http://127.0.0.1:8002"
    assert f"SECRET_KEY={key}" in env_file.read_text()
    # What the environment says wins over the file (systemd's EnvironmentFile in production).
    assert settings_in_a_process(env_file, SITE_URL="https://ict.example")[0] == "https://ict.example"


def test_the_development_env_file_follows_the_database_of_the_latest_make_run(tmp_path):
    env_file = tmp_path / ".env"
    dev_env.write_dev_env(env_file, "http://127.0.0.1:8000", "postgres://postgres@127.0.0.1:5432/akishima_ict")
    assert "DATABASE_URL=postgres://postgres@127.0.0.1:5432/akishima_ict\n" in env_file.read_text()
    dev_env.write_dev_env(env_file, "http://127.0.0.1:8000", "")
    assert "DATABASE_URL" not in env_file.read_text()


def test_a_hand_written_env_file_is_left_alone(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=true\nSITE_URL=http://dev.example\n")
    dev_env.write_dev_env(env_file, "http://127.0.0.1:8001")
    assert env_file.read_text() == "DEBUG=true\nSITE_URL=http://dev.example\n"


def test_the_env_file_is_ignored_by_git():
    assert ".env" in (settings.BASE_DIR / ".gitignore").read_text().splitlines()


def readme_commands():
    text = README.read_text(encoding="utf-8")
    return sorted(set(re.findall(r"manage\.py ([a-z_]+)", text)))


def test_the_readme_shows_commands():
    assert {"export_plan_pdf", "send_reminders", "backup", "restore", "import_data"} <= set(readme_commands())


@pytest.mark.parametrize("command", readme_commands())
def test_every_command_in_the_readme_exists(command):
    assert command in get_commands(), f"README shows `manage.py {command}`, which does not exist"


def test_the_readme_runs_manage_py_with_the_venv_python():
    """`python manage.py …` would be the system's Python, without the packages."""
    for number, line in enumerate(README.read_text(encoding="utf-8").splitlines(), 1):
        for match in re.finditer(r"(\S*)python3? manage\.py", line):
            assert match.group(1).endswith(".venv/bin/"), f"README.md:{number}: {line.strip()}"
