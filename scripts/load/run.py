"""`make load`: gunicorn on loopback against the large generated city, driven by locust.

    .venv/bin/python scripts/load/run.py [--users 20] [--run-time 60s]
                                         [--worker-class sync] [--workers 3] [--threads 1]

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
"""

import argparse
import csv
import http.cookiejar
import json
import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
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
    args = parser.parse_args()

    env = server_environment()
    prepare_database(env, rebuild=args.rebuild)
    run([BIN / "python", "manage.py", "collectstatic", "--noinput", "-v0"], env)
    with tempfile.TemporaryDirectory(prefix="akishima-load-") as work:
        work = Path(work)
        # The server's file cache (settings.CACHES), empty at the start of each run.
        env["CACHE_URL"] = os.environ.get("CACHE_URL") or f"filecache://{work / 'cache'}?max_entries=5000"
        targets = work / "targets.json"
        run([BIN / "python", "scripts/load/prepare.py", "targets", targets], env)
        speed_before = machine_speed()
        history_before = count_history(env)
        port = free_port()
        server = start_gunicorn(env, port, args)
        try:
            sign_in(targets, port)
            cpu_before = server_cpu_seconds(server)
            locust = [BIN / "locust", "-f", "scripts/load/locustfile.py", "--headless",
                      "--host", f"http://127.0.0.1:{port}", "--users", str(args.users),
                      "--spawn-rate", str(args.users), "--run-time", args.run_time,
                      # Users finish the task under way, so that no save is cut off unrecorded.
                      "--stop-timeout", "60",
                      "--csv", work / "stats", "--only-summary", "--loglevel", "WARNING",
                      "--exit-code-on-error", "0"]
            print(f"負荷試験:{args.users} 人、{args.run_time}、gunicorn {args.worker_class} "
                  f"workers={args.workers} threads={args.threads}(127.0.0.1:{port})", flush=True)
            run(locust, {**env, "LOAD_TARGETS": str(targets), "LOAD_SAVED": str(work / "saved.txt")},
                quiet=True)
            cpu = server_cpu_seconds(server) - cpu_before
        finally:
            server.terminate()
            server.wait(timeout=30)
        history_added = count_history(env) - history_before
        saved = (work / "saved.txt").read_text(encoding="utf-8").splitlines() \
            if (work / "saved.txt").exists() else []
        found = int(prepare(env, "saved", work / "saved.txt"))
        rows = read_stats(work / "stats_stats.csv")
        failures = (work / "stats_failures.csv").read_text(encoding="utf-8")
        status = report(rows, failures, saves=len(saved), found=found, history_added=history_added, cpu=cpu)
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


def start_gunicorn(env: dict, port: int, args) -> subprocess.Popen:
    command = [BIN / "gunicorn", "akishima_ict.wsgi", "--bind", f"127.0.0.1:{port}",
               "--worker-class", args.worker_class, "--workers", str(args.workers),
               "--threads", str(args.threads), "--log-level", "warning",
               # A connection per request, as from nginx (no upstream keep-alive by default):
               # otherwise each simulated user stays on the process that took its connection
               # and one process can get most of the heavy users.
               "--keep-alive", "0"]
    server = subprocess.Popen(command, env=env, cwd=BASE_DIR)
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


def server_cpu_seconds(server: subprocess.Popen) -> float:
    """CPU time used so far by gunicorn and its workers: on a machine shared with other
    work, CPU per request says what the server would do on cores of its own."""
    master = psutil.Process(server.pid)
    return sum(sum(p.cpu_times()[:2]) for p in [master, *master.children(recursive=True)])


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


def read_stats(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def report(rows: list[dict], failures: str, *, saves: int, found: int, history_added: int,
           cpu: float) -> int:
    header = ["種類", "件数", "エラー", "件/秒", "p50 ms", "p95 ms", "p99 ms"]
    body = [[r["Name"] if r["Name"] != "Aggregated" else "全体", r["Request Count"], r["Failure Count"],
             f"{float(r['Requests/s']):.1f}", r["50%"], r["95%"], r["99%"]] for r in rows]
    widths = [max(_width(str(row[i])) for row in [header, *body]) for i in range(len(header))]
    print()
    for cells in [header, *body]:
        print("  ".join(_pad(str(c), widths[i], right=i > 0) for i, c in enumerate(cells)))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    errors = int(total["Failure Count"])
    rps, p95 = float(total["Requests/s"]), float(total["95%"])
    print()
    ok = rps >= TARGET_RPS and p95 < TARGET_P95_MS and errors == 0
    print(f"目標 {TARGET_RPS} 件/秒以上・p95 {TARGET_P95_MS} ms 未満・エラー 0:"
          f"{rps:.1f} 件/秒、p95 {p95:.0f} ms、エラー {errors} → {'OK' if ok else 'NG'}")
    per_request = 1000 * cpu / max(int(total["Request Count"]), 1)
    print(f"サーバーの CPU 時間:1 件あたり {per_request:.0f} ms"
          f"(CPU を専有できれば 2 コアで約 {2000 / per_request:.0f} 件/秒が上限)、"
          f"測定中の負荷平均 {os.getloadavg()[0]:.1f}")
    lost = saves - found
    # A save still under way when the clock stopped is in the history without a response.
    print(f"保存の成功 {saves} 件のうち履歴にあるもの {found} 件(履歴は {history_added} 行増):"
          + ("失われた保存はありません。" if lost == 0 else f"{lost} 件の保存が履歴にありません。"))
    if errors:
        print("\nエラーの内訳:\n" + failures)
    return 0 if errors == 0 and lost == 0 else 1


def _pad(text: str, width: int, *, right: bool) -> str:
    gap = " " * (width - _width(text))
    return gap + text if right else text + gap


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


if __name__ == "__main__":
    sys.exit(main())
