"""Django side of the load test (scripts/load/run.py runs it with the load database's
environment): pick the simulated users and what they open, give them a password,
and count the sheets' history rows.

    python scripts/load/prepare.py build              # migrate and build the generated city
    python scripts/load/prepare.py targets OUT.json [--uploader]
                                                      # users, URLs' ids, history count (and
                                                      # the staff member who uploads heavy files)
    python scripts/load/prepare.py hostile DIR        # the heavy xlsx files of --hostile-upload,
                                                      # built once into DIR; prints their paths
    python scripts/load/prepare.py history            # prints the history row count
    python scripts/load/prepare.py saved FILE         # how many of the saves in FILE (one
                                                      # unique text per line) have a history row
    python scripts/load/prepare.py pages FILE         # CPU time of each page of the mix (FILE
                                                      # from `targets`), one request at a time
"""

import json
import secrets
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BASE_DIR))

import os  # noqa: E402

import django  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "akishima_ict.settings")
django.setup()

from django.db.models import Q  # noqa: E402

from accounts.models import Department, User  # noqa: E402
from demo.bench import CITY_PLAN  # noqa: E402
from governance.models import CycleStatus, ReviewCycle  # noqa: E402
from plans.models import Plan  # noqa: E402
from projects.models import ProjectSheet  # noqa: E402

STAFF, JOHO, EXECUTIVES = 12, 4, 4


def history_rows() -> int:
    return ProjectSheet.history.count()


def saves_in_history(path: Path) -> int:
    texts = set(path.read_text(encoding="utf-8").splitlines()) if path.exists() else set()
    found = set(ProjectSheet.history.filter(activities__in=texts).values_list("activities", flat=True))
    return len(found)


def targets(*, uploader: bool = False) -> dict:
    plan = Plan.objects.get(code=CITY_PLAN)
    cycle = ReviewCycle.objects.get(plan=plan, status=CycleStatus.OPEN)
    # One department staff member per section, so that no two simulated users edit the
    # same sheet (a conflict would be correct behaviour, but not what we measure).
    # The uploader of --hostile-upload is one more, of a section of its own.
    staff, sections = [], set()
    wanted = STAFF + (1 if uploader else 0)
    for user in (User.objects.filter(username__startswith="bench-staff-", section__isnull=False)
                 .order_by("username")):
        if user.section_id not in sections:
            sections.add(user.section_id)
            staff.append(user)
        if len(staff) == wanted:
            break
    staff, uploaders = staff[:STAFF], staff[STAFF:]
    users = {
        "staff": [{"username": u.username, "sheets": list(
            ProjectSheet.objects.filter(project__plan=plan, section_id=u.section_id)
            .order_by("project__code").values_list("project__code", flat=True)[:20])} for u in staff],
        "joho": [{"username": f"bench-joho-{i}"} for i in range(1, JOHO + 1)],
        "executives": [{"username": f"bench-exec-{i:02d}"} for i in range(1, EXECUTIVES + 1)],
    }
    if uploader:
        users["uploader"] = [{"username": u.username} for u in uploaders]
    password = secrets.token_urlsafe(16)
    for kind in users.values():
        for spec in kind:
            user = User.objects.get(username=spec["username"])
            user.set_password(password)
            user.save(update_fields=["password"])
    return {
        "plan": plan.code, "years": list(plan.years), "cycle": cycle.pk, "password": password,
        # The dashboard's item filter: the top two levels' items, by path.
        "items": list(plan.items.filter(Q(parent__isnull=True) | Q(parent__parent__isnull=True))
                      .order_by("sort_key").values_list("path", flat=True)),
        "departments": list(Department.objects.filter(code__startswith="bench-")
                            .values_list("code", flat=True)),
        "reports": list(cycle.reports.order_by("pk").values_list("pk", flat=True)[:400]),
        "users": users, "history_rows": history_rows(),
    }


def page_cpu(targets_file: Path, repeat: int = 9) -> None:
    """CPU milliseconds per page, served one at a time in this process (Django's test
    client): unlike wall time, it hardly depends on what else the machine is doing. The
    dashboard and the tree are measured from their cache and right after a change of the
    data they show (core.stamps), when they are computed again."""
    import time
    import warnings

    from django.test import Client, override_settings

    from core import stamps

    data = json.loads(targets_file.read_text())
    warnings.filterwarnings("ignore", "No directory at")

    def client(username):
        c = Client(HTTP_HOST="127.0.0.1")
        c.force_login(User.objects.get(username=username))
        return c

    staff = data["users"]["staff"][0]
    s, j, e = client(staff["username"]), client("bench-joho-1"), client("bench-exec-01")
    sheet = f"/sheets/{data['plan']}/{staff['sheets'][0]}/"
    dashboard = f"/dashboard/?plan={data['plan']}&year={data['years'][-1]}&by=direction"
    pages = [
        ("自課の事業 /sheets/", s, "/sheets/", None), ("シート", s, sheet, None),
        ("シート編集画面", s, sheet + "edit/", None), ("自課の実績報告", s, "/cycles/mine/", None),
        ("進行管理 /cycles/<番号>/", j, f"/cycles/{data['cycle']}/", None),
        ("実績報告 /reports/<番号>/", j, f"/reports/{data['reports'][0]}/", None),
        ("集計表", j, f"/cycles/{data['cycle']}/summary/", None),
        ("ダッシュボード(キャッシュから)", e, dashboard, None),
        ("ダッシュボード(報告などの変更の直後)", e, dashboard, "work"),
        ("計画体系(キャッシュから)", e, f"/plans/{data['plan']}/", None),
        ("計画体系(計画の変更の直後)", e, f"/plans/{data['plan']}/", "plans"),
    ]
    with override_settings(SECURE_SSL_REDIRECT=False):
        print(f"シート保存(POST)\t302\t{_save_cpu(s, sheet + 'edit/', repeat):.0f} ms")
        for label, c, url, stamp in pages:
            c.get(url)
            times = []
            for _ in range(repeat):
                if stamp:
                    stamps.bump(stamp)
                start = time.process_time()
                status = c.get(url).status_code
                times.append(1000 * (time.process_time() - start))
            print(f"{label}\t{status}\t{sorted(times)[repeat // 2]:.0f} ms")


def _save_cpu(client, url: str, repeat: int) -> float:
    """CPU milliseconds of a sheet save (the POST alone), as the load test sends it."""
    import time

    from htmlform import form_fields

    times = []
    for n in range(repeat + 1):
        fields = [(k, v) for k, v in form_fields(client.get(url).content.decode())
                  if k != "sheet-activities"]
        data = {}
        for key, value in fields + [("sheet-activities", f"CPU の計測 {n}"), ("draft", "")]:
            data.setdefault(key, []).append(value)
        start = time.process_time()
        response = client.post(url, data)
        assert response.status_code == 302, response.status_code
        times.append(1000 * (time.process_time() - start))
    return sorted(times[1:])[repeat // 2]


def hostile_files(folder: Path) -> list[Path]:
    """The heavy uploads of `make load LOAD_ARGS=--hostile-upload`, built once into ``folder``
    by the tests' own builder (tests/exchange/hostile.py, the probe's file of issue 14):

    - refused: a ~1 MB xlsx whose styles.xml unpacks to 34 MB of varied cell formats, which
      the per-part limit (IMPORT_MAX_STYLES_BYTES) refuses;
    - parsed: the same kind of file with a styles.xml 4 KB under that limit, which passes
      every check and is really parsed (in the child process of exchange.parsing).
    """
    import zipfile

    from django.conf import settings

    from tests.exchange.hostile import styles_bomb

    limit = settings.IMPORT_MAX_STYLES_BYTES
    files = []
    for label, unpacked in (("refused", 34 * 1024 * 1024), ("parsed", limit - 4096)):
        path = folder / f"load-styles-{label}-{unpacked}.xlsx"
        if not path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            temp = path.with_suffix(".tmp")
            temp.write_bytes(styles_bomb(unpacked))
            temp.replace(path)
        with zipfile.ZipFile(path) as archive:
            size = archive.getinfo("xl/styles.xml").file_size
        assert (size > limit) == (label == "refused"), (path, size, limit)
        files.append(path)
    return files


def build() -> None:
    from django.core.management import call_command

    from demo import bench

    call_command("migrate", interactive=False, verbosity=0)
    if not bench.city_built():
        bench.build_city()


if __name__ == "__main__":
    if sys.argv[1:2] == ["build"]:
        build()
    elif sys.argv[1:2] == ["targets"]:
        Path(sys.argv[2]).write_text(json.dumps(targets(uploader="--uploader" in sys.argv[3:]),
                                                ensure_ascii=False))
    elif sys.argv[1:2] == ["hostile"]:
        for path in hostile_files(Path(sys.argv[2])):
            print(path)
    elif sys.argv[1:2] == ["history"]:
        print(history_rows())
    elif sys.argv[1:2] == ["pages"]:
        page_cpu(Path(sys.argv[2]))
    elif sys.argv[1:2] == ["saved"]:
        print(saves_in_history(Path(sys.argv[2])))
    else:
        sys.exit(__doc__)
