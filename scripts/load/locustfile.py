"""The load test's users (locust), started by scripts/load/run.py (`make load`).

A mix of the city's daily work on the large generated city of `make bench`:
- department staff (事業担当職員) open their sheet list and sheets, open the edit form
  and save it as the browser does (CSRF token, seen_version and every field);
- 情報推進課 opens the cycle's work list (pages of 50), reports and the summary;
- executives open the dashboard (often as it comes, sometimes filtered) and the plan tree.
Each simulated user is a distinct person, signed in once through the login page by run.py.
No think time: 20 users ask as fast as the server answers (see the README for what
that means in real users).

With `--hostile-upload` (run.py), one more department staff member uploads heavy xlsx
files to the import page in a loop, also without think time (HeavyUploader). Their
requests are named with HOSTILE (so the summary shows them apart).

When every user has stopped, the statistics (per kind, all, and the usual mix without the
heavy uploader's requests, on which run.py judges) are written to LOAD_STATS as JSON.
"""

import itertools
import json
import os
import random
from pathlib import Path

from locust import HttpUser, constant, events, task
from locust.stats import StatsEntry

from htmlform import form_fields

TARGETS = json.loads(Path(os.environ["LOAD_TARGETS"]).read_text())
PLAN = TARGETS["plan"]
SERIAL = itertools.count(1)
HOSTILE = "[重い取り込み] "


@events.quitting.add_listener
def _write_stats(environment, **kwargs):
    """Every user has finished (locust's own CSV is written every 2 s, so it misses the
    last requests): the rows per kind, all requests, and the usual mix."""
    if not os.environ.get("LOAD_STATS"):
        return
    stats = environment.stats
    entries = sorted(stats.entries.values(), key=lambda e: e.name)
    mix = StatsEntry(stats, "通常の混合", "")
    for entry in entries:
        if not entry.name.startswith(HOSTILE):
            mix.extend(entry)

    def row(entry):
        return {"name": entry.name, "requests": entry.num_requests, "failures": entry.num_failures,
                "rps": entry.total_rps,
                **{p: entry.get_response_time_percentile(q) if entry.num_requests else 0
                   for p, q in (("50%", 0.5), ("95%", 0.95), ("99%", 0.99))}}

    Path(os.environ["LOAD_STATS"]).write_text(json.dumps({
        "rows": [row(e) for e in entries], "all": row(stats.total), "mix": row(mix),
        "errors": [{"method": e.method, "name": e.name, "error": str(e.error), "count": e.occurrences}
                   for e in stats.errors.values()],
    }, ensure_ascii=False))


class CityUser(HttpUser):
    abstract = True
    wait_time = constant(0)

    def on_start(self):
        # Signed in through the login page by run.py before the clock starts: a password
        # hash costs ~0.5 s of CPU by design, and 20 of them would fill the first seconds.
        self.spec = next(self.specs)
        for name, value in self.spec["cookies"].items():
            self.client.cookies.set(name, value, domain="127.0.0.1", path="/")


class Staff(CityUser):
    fixed_count = len(TARGETS["users"]["staff"])
    specs = itertools.cycle(TARGETS["users"]["staff"])

    @task(3)
    def sheet_list(self):
        self.client.get("/sheets/", name="自課の事業 /sheets/")

    @task(3)
    def sheet(self):
        code = random.choice(self.spec["sheets"])
        self.client.get(f"/sheets/{PLAN}/{code}/", name="シート /sheets/<計画>/<コード>/")

    @task(2)
    def edit_and_save(self):
        code = random.choice(self.spec["sheets"])
        url = f"/sheets/{PLAN}/{code}/edit/"
        page = self.client.get(url, name="シート編集画面 …/edit/")
        if page.status_code != 200:
            return
        text = f"負荷試験による更新 {self.spec['username']} {next(SERIAL)}"
        fields = [(k, v) for k, v in form_fields(page.text) if k != "sheet-activities"]
        fields += [("sheet-activities", text), ("draft", "")]
        with self.client.post(url, data=fields, name="シート保存(POST)", allow_redirects=False,
                              catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"保存されません({response.status_code})")
                return
        # Every save the server confirmed, for run.py to find in the sheets' history.
        with open(os.environ["LOAD_SAVED"], "a", encoding="utf-8") as saved:
            saved.write(text + "\n")

    @task(1)
    def my_reports(self):
        self.client.get("/cycles/mine/", name="自課の実績報告 /cycles/mine/")


class Joho(CityUser):
    fixed_count = len(TARGETS["users"]["joho"])
    specs = itertools.cycle(TARGETS["users"]["joho"])

    @task(3)
    def work_list(self):
        page = random.choice(["", "?page=2", "?page=3"])
        self.client.get(f"/cycles/{TARGETS['cycle']}/{page}", name="進行管理 /cycles/<番号>/")

    @task(3)
    def report(self):
        self.client.get(f"/reports/{random.choice(TARGETS['reports'])}/", name="実績報告 /reports/<番号>/")

    @task(1)
    def summary(self):
        self.client.get(f"/cycles/{TARGETS['cycle']}/summary/", name="集計表 …/summary/")


class Executive(CityUser):
    fixed_count = len(TARGETS["users"]["executives"])
    specs = itertools.cycle(TARGETS["users"]["executives"])

    @task(3)
    def dashboard(self):
        # Most visits open the plan's latest year as it comes; some narrow it down (a year,
        # a vocabulary, an item of the plan's top two levels or a department), which the
        # cache has not seen yet.
        params = {"plan": PLAN}
        if random.random() < 0.4:
            params.update(year=random.choice(TARGETS["years"]), by=random.choice(
                ["progress", "implementation_status", "direction", "decision"]))
            if random.random() < 0.5:
                params["item"] = random.choice(TARGETS["items"])
            elif random.random() < 0.5:
                params["department"] = random.choice(TARGETS["departments"])
        self.client.get("/dashboard/", params=params, name="ダッシュボード(条件付きを含む)")

    @task(1)
    def tree(self):
        self.client.get(f"/plans/{PLAN}/", name="計画体系 /plans/<計画>/")


if TARGETS["users"].get("uploader"):
    XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    # (label, file, the answer expected): refused by the per-part limit, or parsed.
    FILES = [(label, Path(path).read_bytes(), refused) for label, path, refused in TARGETS["hostile_files"]]

    class HeavyUploader(CityUser):
        """One staff member who uploads, in a loop and without think time, the probe's file
        of issue 14 (refused: its styles.xml unpacks to 34 MB) and one just under the limits
        (parsed in the child process), alternately, as the browser does: the form, then the
        file with the form's CSRF token, then (when it is taken) the preview it leads to."""

        fixed_count = len(TARGETS["users"]["uploader"])
        specs = itertools.cycle(TARGETS["users"]["uploader"])

        def on_start(self):
            super().on_start()
            self.files = itertools.cycle(FILES)

        @task
        def upload(self):
            label, data, refused = next(self.files)
            page = self.client.get("/data/import/", name=HOSTILE + "取り込み画面 /data/import/")
            if page.status_code != 200:
                return
            with self.client.post("/data/import/", data=form_fields(page.text),
                                  files={"file": ("styles.xlsx", data, XLSX)},
                                  name=f"{HOSTILE}{label}(POST)", allow_redirects=False,
                                  catch_response=True) as response:
                if refused:
                    # The expected answer: the form again, 400, with the part limit's message.
                    if response.status_code == 400 and "大きすぎます" in response.text:
                        response.success()
                    else:
                        response.failure(f"断られません({response.status_code})")
                    return
                if response.status_code != 302:
                    response.failure(f"取り込めません({response.status_code})")
                    return
                preview = response.headers.get("Location", "")
            with self.client.get(preview, name=HOSTILE + "取り込みの確認 /data/import/preview/",
                                 catch_response=True) as response:
                if response.status_code != 200:
                    response.failure(f"確認画面が出ません({response.status_code})")
