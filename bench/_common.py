"""What every bench shares: running one phase in a child process, throw-away PostgreSQL databases, memory figures."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parent.parent


def run_child(script: str, argv: list[str], env: dict) -> dict:
    """Run ``script argv`` in a fresh Python process; its last stdout line is a JSON dict of results."""
    proc = subprocess.run([sys.executable, script, *argv], env=env, cwd=REPO_ROOT, capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-5000:] + proc.stderr[-5000:])
        raise SystemExit(f"the bench phase {argv[:2]} failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def pg_admin(url: str):
    """An autocommit connection to the server of ``url`` (its maintenance database), to create and drop databases."""
    import psycopg

    parts = urlsplit(url)
    conninfo = urlunsplit((parts.scheme.replace("postgresql", "postgres"), parts.netloc, parts.path or "/postgres",
                           parts.query, ""))
    return psycopg.connect(conninfo, autocommit=True)


def with_db(url: str, name: str) -> str:
    """``url`` pointing at database ``name``."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def rss_mb() -> float:
    """This process's resident memory now."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    """This process's peak resident memory. Not ``ru_maxrss``: on Linux a process started by a large one starts with
    the parent's peak there; VmHWM belongs to its own memory."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
