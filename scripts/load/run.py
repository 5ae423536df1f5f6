"""`make load`: gunicorn on loopback against the large generated city, driven by locust.

    .venv/bin/python scripts/load/run.py [--users 20] [--run-time 60s]
                                         [--worker-class sync] [--workers 3] [--threads 1]
                                         [--hostile-upload]

1. The generated city is kept in var/load-city.sqlite3: a copy of `make bench`'s
   var/bench.sqlite3 when that is complete, else built (demo.bench.build_city). Each run
   serves a fresh copy of it, var/load.sqlite3, so that every run starts from the same data
   (the saves of a run add history rows, which later runs would otherwise show) and the saves
   never disturb the bench. Static files are collected into var/load-static.
2. gunicorn serves it with production settings (DEBUG off, manifest static files, the file
   cache, in a folder of its own that starts empty) and the workers of
   deploy/akishima-ict.service, on 127.0.0.1 and a free port, over plain http (so SSL
   redirect and Secure cookies are off).
3. locust (headless) runs the mix of scripts/load/locustfile.py for a bounded time.
4. Prints requests/s and p50/p95/p99 per kind and overall, the errors, and whether every
   successful save left its history row. Exits 1 on errors or lost saves; the speed
   targets are reported (OK/NG), as `make bench` does.
5. Prints the resident memory of the web processes (gunicorn's master and workers) before
   and after the run, their peak (VmHWM) and the peak during the run, and apart from them
   that of the processes the workers started (the forkserver of exchange.parsing and its
   parsing children).

--hostile-upload adds one user (a department staff member of a section of their own) who
uploads heavy xlsx files to the import page in a loop, without think time (issue 14, item 3:
the probe's file, refused by the per-part limit, and one just under the limits, which the
child process really parses). Their requests are listed apart; the verdict on speed and
errors is the usual mix's, while any unexpected answer to the uploader (a 500) still
makes the run fail.
"""

import argparse
import http.cookiejar
import json
import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from contextlib import closing
from pathlib import Path

import psutil  # a dependency of locust
from htmlform import form_fields

BASE_DIR = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
VAR = BASE_DIR / "var"
DATABASE = VAR / "load.sqlite3"
CITY = VAR / "load-city.sqlite3"
BENCH = VAR / "bench.sqlite3"
TARGET_RPS, TARGET_P95_MS = 150, 300


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--run-time", default="60s")
    # As deploy/akishima-ict.service runs it.
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true", help="生成データ(var/load-city.sqlite3)を作り直します")
    parser.add_argument("--pages", action="store_true",
                        help="あとで画面ごとの CPU 時間(1 件ずつ)も測ります(どこに時間がかかるか)")
    parser.add_argument("--hostile-upload", action="store_true",
                        help="重い xlsx を待ち時間なしで取り込み画面に送り続ける利用者を 1 人加えます"
                             "(通常の混合の判定には含めません)")
    args = parser.parse_args()

    env = server_environment()
    prepare_database(env, rebuild=args.rebuild)
    run([BIN / "python", "manage.py", "collectstatic", "--noinput", "-v0"], env)
    with tempfile.TemporaryDirectory(prefix="akishima-load-") as work:
        work = Path(work)
        # The server's file cache (settings.CACHES), empty at the start of each run.
        env["CACHE_URL"] = os.environ.get("CACHE_URL") or f"filecache://{work / 'cache'}?max_entries=5000"
        # Uploads kept for their preview (--hostile-upload), in the run's own folder.
        env["MEDIA_ROOT"] = str(work / "media")
        targets = work / "targets.json"
        run([BIN / "python", "scripts/load/prepare.py", "targets", targets,
             *(["--uploader"] if args.hostile_upload else [])], env)
        users = args.users
        if args.hostile_upload:
            add_hostile_files(env, targets)
            users += 1
        speed_before = machine_speed()
        history_before = count_history(env)
        port = free_port()
        server_log = work / "server.log"
        server = start_gunicorn(env, port, args, server_log)
        try:
            sign_in(targets, port)
            memory_before = server_memory(server)
            cpu_before = server_cpu_seconds(server)
            locust = [BIN / "locust", "-f", "scripts/load/locustfile.py", "--headless",
                      "--host", f"http://127.0.0.1:{port}", "--users", str(users),
                      "--spawn-rate", str(users), "--run-time", args.run_time,
                      # Users finish the task under way, so that no save is cut off unrecorded.
                      "--stop-timeout", "60",
                      "--only-summary", "--loglevel", "WARNING",
                      "--exit-code-on-error", "0"]
            print(f"負荷試験:{args.users} 人"
                  + ("+重い xlsx を送り続ける 1 人" if args.hostile_upload else "")
                  + f"、{args.run_time}、gunicorn {args.worker_class} "
                  f"workers={args.workers} threads={args.threads}(127.0.0.1:{port})", flush=True)
            with MemoryPeak(server) as peak:
                run(locust, {**env, "LOAD_TARGETS": str(targets), "LOAD_SAVED": str(work / "saved.txt"),
                             "LOAD_STATS": str(work / "stats.json")}, quiet=True)
            cpu = [after - before for after, before in zip(server_cpu_seconds(server), cpu_before)]
            memory_after = server_memory(server)
        finally:
            server.terminate()
            server.wait(timeout=30)
        history_added = count_history(env) - history_before
        saved = (work / "saved.txt").read_text(encoding="utf-8").splitlines() \
            if (work / "saved.txt").exists() else []
        found = int(prepare(env, "saved", work / "saved.txt"))
        stats = json.loads((work / "stats.json").read_text(encoding="utf-8"))
        status = report(stats, saves=len(saved), found=found, history_added=history_added, cpu=cpu)
        report_memory(memory_before, memory_after, peak)
        show_server_log(server_log)
        print(f"この機械の速さの目安(一定の Python の計算、値が小さいほど速い):測定の前 {speed_before:.0f} ms、"
              f"後 {machine_speed():.0f} ms")
        if args.pages:
            print("\n画面ごとの CPU 時間(1 件ずつ、中央値):")
            run([BIN / "python", "scripts/load/prepare.py", "pages", targets], env)
    return status


def machine_speed() -> float:
    """CPU milliseconds of a fixed pure-Python computation, the best of three: this
    machine's speed varies with what else its host runs, so each run says how fast it was."""
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        total = 0
        for i in range(3_000_000):
            total += i
        best = min(best, time.process_time() - start)
    return 1000 * best


def server_environment() -> dict:
    return {
        **os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "akishima_ict.settings"),
        "SQLITE_PATH": str(DATABASE), "STATIC_ROOT": str(VAR / "load-static"),
        "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false", "CSRF_COOKIE_SECURE": "false", "LOG_LEVEL": "WARNING",
    }


def complete(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            return db.execute("SELECT count(*) FROM plans_plan WHERE code IN ('bench', 'bench500')"
                              ).fetchone()[0] == 2
    except sqlite3.Error:
        return False


def prepare_database(env: dict, *, rebuild: bool) -> None:
    if rebuild:
        remove(CITY)
    if not complete(CITY):
        remove(CITY)
        if complete(BENCH):
            print(f"{BENCH.name} を {CITY.name} に複写します。", flush=True)
            copy(BENCH, CITY)
        else:
            print("大規模な生成データを作ります(数分かかります)。", flush=True)
            run([BIN / "python", "scripts/load/prepare.py", "build"], {**env, "SQLITE_PATH": str(CITY)})
    run([BIN / "python", "manage.py", "migrate", "--noinput", "-v0"], {**env, "SQLITE_PATH": str(CITY)})
    remove(DATABASE)
    copy(CITY, DATABASE)


def remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def copy(source: Path, target: Path) -> None:
    """The online backup API: a consistent copy even if `make bench` is writing."""
    with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as src, \
            closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def count_history(env: dict) -> int:
    return int(prepare(env, "history"))


def prepare(env: dict, *args) -> str:
    out = subprocess.run([BIN / "python", "scripts/load/prepare.py", *map(str, args)], env=env,
                         cwd=BASE_DIR, capture_output=True, text=True, check=True).stdout
    return out.strip().splitlines()[-1]


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, port: int, args, log: Path) -> subprocess.Popen:
    command = [BIN / "gunicorn", "akishima_ict.wsgi", "--bind", f"127.0.0.1:{port}",
               "--worker-class", args.worker_class, "--workers", str(args.workers),
               "--threads", str(args.threads), "--log-level", "warning",
               # A connection per request, as from nginx (no upstream keep-alive by default):
               # otherwise each simulated user stays on the process that took its connection
               # and one process can get most of the heavy users.
               "--keep-alive", "0"]
    # Its log goes to a file, summed up after the run (show_server_log): the heavy
    # uploader's refusals would each log a "Bad Request" line.
    with open(log, "w") as out:
        server = subprocess.Popen(command, env=env, cwd=BASE_DIR, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as r:
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn が起動しませんでした。")


def server_cpu_seconds(server: subprocess.Popen) -> tuple[float, float]:
    """CPU time used so far by gunicorn and its workers, and apart by the processes the
    workers started (the forkserver of exchange.parsing and its parsing children, counted
    by the forkserver that waited for them): on a machine shared with other work, CPU per
    request says what the server would do on cores of its own."""
    web, others = _processes(server)
    return _cpu(web), _cpu(others)


def _cpu(processes) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.Error:  # a parsing child that just ended
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


MB = 1024 * 1024


def _peak_rss(process: psutil.Process) -> int:
    """The process's peak resident memory so far (VmHWM), in bytes."""
    with open(f"/proc/{process.pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def _processes(server: subprocess.Popen):
    """(web processes: gunicorn's master and workers, the processes the workers started)."""
    master = psutil.Process(server.pid)
    workers = master.children()
    others = [c for w in workers for c in w.children(recursive=True)]
    return [master, *workers], others


def server_memory(server: subprocess.Popen) -> dict:
    web, others = _processes(server)
    rss, peaks, other_rss = [], [], 0
    for process in web:
        try:
            rss.append(process.memory_info().rss)
            peaks.append(_peak_rss(process))
        except (psutil.Error, OSError):
            pass
    for process in others:
        try:
            other_rss += process.memory_info().rss
        except psutil.Error:
            pass
    return {"rss": rss, "peaks": peaks, "others": other_rss, "count_others": len(others)}


class MemoryPeak:
    """Samples, every 0.2 s during the run, the total resident memory of the web processes
    and, apart, of the processes the workers started (forkserver and parsing children)."""

    def __init__(self, server: subprocess.Popen):
        self.server, self.web, self.others = server, 0, 0
        self.stop = threading.Event()

    def __enter__(self):
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()

    def sample(self):
        while not self.stop.wait(0.2):
            try:
                web, others = _processes(self.server)
            except psutil.Error:
                continue
            self.web = max(self.web, _total_rss(web))
            self.others = max(self.others, _total_rss(others))


def _total_rss(processes) -> int:
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            pass
    return total


def report_memory(before: dict, after: dict, peak: MemoryPeak) -> None:
    def mb(values):
        return "・".join(f"{v / MB:.0f}" for v in values)
    print(f"ウェブのプロセス(gunicorn の親と workers)の常駐メモリ(RSS):"
          f"測定の前 計 {sum(before['rss']) / MB:.0f} MiB({mb(before['rss'])})、"
          f"後 計 {sum(after['rss']) / MB:.0f} MiB({mb(after['rss'])})、"
          f"測定中の最大 計 {peak.web / MB:.0f} MiB;"
          f"各プロセスのそれまでの最大(VmHWM)前 {mb(before['peaks'])}、後 {mb(after['peaks'])} MiB")
    if peak.others or after["count_others"]:
        print(f"workers が起動したプロセス(取り込みの forkserver と読み込みの子):"
              f"測定中の最大 計 {peak.others / MB:.0f} MiB、"
              f"後 {after['count_others']} 個 計 {after['others'] / MB:.0f} MiB")


def show_server_log(path: Path, limit: int = 30) -> None:
    """The server's log lines, the expected refusals of the import page only counted."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    refused = [line for line in lines if line.startswith("Bad Request: /data/import/")]
    other = [line for line in lines if not line.startswith("Bad Request: /data/import/")]
    if refused:
        print(f"サーバーのログ:取り込み画面の 400(断られたファイル){len(refused)} 行")
    if other:
        print(f"サーバーのログ({len(other)} 行" + (f"、最初の {limit} 行" if len(other) > limit else "") + "):")
        for line in other[:limit]:
            print("  " + line)


def add_hostile_files(env: dict, targets: Path) -> None:
    """The heavy uploads (built once into var/ by prepare.py), for the locustfile."""
    out = subprocess.run([BIN / "python", "scripts/load/prepare.py", "hostile", VAR], env=env,
                         cwd=BASE_DIR, capture_output=True, text=True, check=True).stdout
    refused, parsed = (Path(line) for line in out.strip().splitlines()[-2:])
    data = json.loads(targets.read_text())
    data["hostile_files"] = [
        [f"styles.xml 34 MB の {refused.stat().st_size / MB:.2f} MB(断られる)", str(refused), True],
        [f"styles.xml 2 MB 弱の {parsed.stat().st_size / MB:.2f} MB(読み込まれる)", str(parsed), False],
    ]
    targets.write_text(json.dumps(data, ensure_ascii=False))
    print("重い取り込み:" + "、".join(f"{label}" for label, _, _ in data["hostile_files"]), flush=True)


def sign_in(targets: Path, port: int) -> None:
    """Each simulated user signs in once through the login page, before the clock starts;
    locust then carries their session cookies."""
    data = json.loads(targets.read_text())
    login = f"http://127.0.0.1:{port}/accounts/login/"
    for spec in (s for kind in data["users"].values() for s in kind):
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
        with opener.open(login, timeout=60) as page:
            fields = dict(form_fields(page.read().decode()))
        fields.update(username=spec["username"], password=data["password"])
        try:
            opener.open(login, urllib.parse.urlencode(fields).encode(), timeout=60)
            raise SystemExit(f"{spec['username']} でログインできませんでした。")
        except urllib.error.HTTPError as redirect:
            if redirect.code != 302:
                raise SystemExit(f"{spec['username']} でログインできませんでした({redirect.code})。")
        spec["cookies"] = {cookie.name: cookie.value for cookie in jar}
    targets.write_text(json.dumps(data, ensure_ascii=False))


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def run(command, env, quiet=False) -> None:
    """Run a step; a quiet one (locust, whose own report we replace) shows its output
    only when it fails."""
    output = subprocess.PIPE if quiet else None
    result = subprocess.run([str(c) for c in command], env=env, cwd=BASE_DIR, stdout=output,
                            stderr=output, text=True)
    if result.returncode != 0:
        if quiet:
            print(result.stdout[-5000:], result.stderr[-5000:], file=sys.stderr)
        raise SystemExit(f"失敗しました:{' '.join(str(c) for c in command)}")


def report(stats: dict, *, saves: int, found: int, history_added: int, cpu: list[float]) -> int:
    """The table per kind; the verdict on the usual mix (every request but the heavy
    uploader's, which is all of them without --hostile-upload)."""
    total, mix = stats["all"], stats["mix"]
    hostile = total["requests"] != mix["requests"]
    header = ["種類", "件数", "エラー", "件/秒", "p50 ms", "p95 ms", "p99 ms"]
    rows = [*stats["rows"], {**total, "name": "全体"}]
    if hostile:
        rows.append({**mix, "name": "通常の混合(重い取り込みを除く)"})
    body = [[r["name"], r["requests"], r["failures"], f"{r['rps']:.1f}", f"{r['50%']:.0f}",
             f"{r['95%']:.0f}", f"{r['99%']:.0f}"] for r in rows]
    widths = [max(_width(str(row[i])) for row in [header, *body]) for i in range(len(header))]
    print()
    for cells in [header, *body]:
        print("  ".join(_pad(str(c), widths[i], right=i > 0) for i, c in enumerate(cells)))
    errors = mix["failures"]
    all_errors = total["failures"]
    rps, p95 = mix["rps"], mix["95%"]
    print()
    ok = rps >= TARGET_RPS and p95 < TARGET_P95_MS and errors == 0
    print(f"目標 {TARGET_RPS} 件/秒以上・p95 {TARGET_P95_MS} ms 未満・エラー 0"
          + ("(通常の混合)" if hostile else "") + ":"
          f"{rps:.1f} 件/秒、p95 {p95:.0f} ms、エラー {errors} → {'OK' if ok else 'NG'}")
    if hostile:
        print(f"重い取り込みの利用者:{total['requests'] - mix['requests']} 件、"
              f"予期しない応答 {all_errors - errors} 件(断られる取り込みは 400 と理由の表示、"
              "読み込まれる取り込みは確認画面への 302 を成功とします)")
    web_cpu, child_cpu = cpu
    per_request = 1000 * (web_cpu + child_cpu) / max(total["requests"], 1)
    print(f"サーバーの CPU 時間:1 件あたり {per_request:.0f} ms"
          + ("(重い取り込みを含む全件で割った値。読み込みの子プロセスを含む)" if hostile else "")
          + f"(CPU を専有できれば 2 コアで約 {2000 / per_request:.0f} 件/秒が上限)、"
          f"測定中の負荷平均 {os.getloadavg()[0]:.1f}")
    # The heavy uploader's POSTs (named by the locustfile's HOSTILE prefix).
    uploads = sum(r["requests"] for r in stats["rows"]
                  if r["name"].startswith("[重い取り込み]") and r["name"].endswith("(POST)"))
    print(f"  内訳:ウェブのプロセス {web_cpu:.1f} s(全件で 1 件あたり "
          f"{1000 * web_cpu / max(total['requests'], 1):.1f} ms)、workers が起動したプロセス "
          f"(取り込みの読み込み){child_cpu:.1f} s"
          + (f"(取り込み 1 回あたり {child_cpu / uploads:.2f} s)" if uploads else ""))
    lost = saves - found
    # A save still under way when the clock stopped is in the history without a response.
    print(f"保存の成功 {saves} 件のうち履歴にあるもの {found} 件(履歴は {history_added} 行増):"
          + ("失われた保存はありません。" if lost == 0 else f"{lost} 件の保存が履歴にありません。"))
    if all_errors:
        print("\nエラーの内訳:")
        for error in stats["errors"]:
            print(f"  {error['method']} {error['name']}:{error['error']}({error['count']} 回)")
    return 0 if all_errors == 0 and lost == 0 else 1


def _pad(text: str, width: int, *, right: bool) -> str:
    gap = " " * (width - _width(text))
    return gap + text if right else text + gap


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


if __name__ == "__main__":
    sys.exit(main())
