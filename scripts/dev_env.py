"""Writes the git-ignored `.env` for local development (`make run`, `make migrate`).

With it, the README's commands (`.venv/bin/python manage.py …`) run with the same
settings as the development server: DEBUG on, a random development SECRET_KEY, and
SITE_URL (the links in e-mails) pointing to the port the server listens on.

A `.env` written here is updated (SITE_URL only, the key stays); a `.env` written by
hand is left as it is. Production never uses this file: a server takes its variables
from the environment (`/etc/akishima-ict.env`, template `.env.example`), which wins
over any `.env`, and DEBUG=false there.

Usage: python scripts/dev_env.py --site-url http://127.0.0.1:8000 [--path .env]
"""

import argparse
import secrets
import sys
from pathlib import Path

MARKER = "# Written by `make run` for local development (scripts/dev_env.py). Not for production."


def render(site_url: str, secret_key: str) -> str:
    return "\n".join([
        MARKER,
        "# A server takes its settings from its environment instead: see .env.example.",
        "DEBUG=true",
        f"SITE_URL={site_url}",
        f"SECRET_KEY={secret_key}",
        "",
    ])


def write_dev_env(path: Path, site_url: str) -> str:
    """Create or update `path`; return what was done, in Japanese, for the terminal."""
    if not path.exists():
        path.write_text(render(site_url, "dev-only-" + secrets.token_urlsafe(50)), encoding="utf-8")
        return f"{path.name} を作成しました(開発用: DEBUG=true、SITE_URL={site_url})。"
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or lines[0] != MARKER:
        return f"{path.name} は手で書かれたものなので、変更しません。"
    updated = [f"SITE_URL={site_url}" if line.startswith("SITE_URL=") else line for line in lines]
    if updated == lines:
        return ""
    path.write_text("\n".join(updated) + "\n", encoding="utf-8")
    return f"{path.name} の SITE_URL を {site_url} にしました。"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site-url", required=True)
    parser.add_argument("--path", type=Path, default=Path(__file__).resolve().parent.parent / ".env")
    args = parser.parse_args(argv)
    message = write_dev_env(args.path, args.site_url)
    if message:
        print(message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
