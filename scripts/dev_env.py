"""Writes the git-ignored `.env` for local development (`make run`, `make migrate`).

With it, the README's commands (`.venv/bin/python manage.py …`) run with the same
settings as the development server: DEBUG on, a random development SECRET_KEY, SITE_URL
(the links in e-mails) pointing to the port the server listens on, and the database
`make run` used (DATABASE_URL when it was given, else the SQLite file).

A `.env` written here follows the latest `make run` (SITE_URL and DATABASE_URL; the key
stays); a `.env` written by hand is left as it is. Production never uses this file: a server takes its variables
from the environment (`/etc/akishima-ict.env`, template `.env.example`), which wins
over any `.env`, and DEBUG=false there.

Usage: python scripts/dev_env.py --site-url http://127.0.0.1:8000 [--database-url URL] [--path .env]
"""

import argparse
import secrets
import sys
from pathlib import Path

MARKER = "# Written by `make run` for local development (scripts/dev_env.py). Not for production."


def render(*, secret_key: str, site_url: str, database_url: str) -> str:
    lines = [
        MARKER,
        "# A server takes its settings from its environment instead: see .env.example.",
        "DEBUG=true",
        f"SECRET_KEY={secret_key}",
        f"SITE_URL={site_url}",
    ]
    if database_url:
        lines.append(f"DATABASE_URL={database_url}")
    return "\n".join(lines) + "\n"


def write_dev_env(path: Path, site_url: str, database_url: str = "") -> str:
    """Create or update `path`; return what was done, in Japanese, for the terminal."""
    if not path.exists():
        key = "dev-only-" + secrets.token_urlsafe(50)
        path.write_text(render(secret_key=key, site_url=site_url, database_url=database_url), encoding="utf-8")
        return f"{path.name} を作成しました(開発用: DEBUG=true、SITE_URL={site_url})。"
    text = path.read_text(encoding="utf-8")
    if not text.startswith(MARKER + "\n"):
        return f"{path.name} は手で書かれたものなので、変更しません。"
    key = next(line for line in text.splitlines() if line.startswith("SECRET_KEY=")).split("=", 1)[1]
    updated = render(secret_key=key, site_url=site_url, database_url=database_url)
    if updated == text:
        return ""
    path.write_text(updated, encoding="utf-8")
    return f"{path.name} を今回の設定(SITE_URL={site_url})に合わせました。"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site-url", required=True)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--path", type=Path, default=Path(__file__).resolve().parent.parent / ".env")
    args = parser.parse_args(argv)
    message = write_dev_env(args.path, args.site_url, args.database_url)
    if message:
        print(message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
