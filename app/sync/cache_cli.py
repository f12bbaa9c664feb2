"""`cabinet cache rebuild`: the offline cache is disposable — move it aside and fill it afresh.

Import jobs and the list of known maps live in the state database beside it and are kept.
Top-level imports stay light (argparse only).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: Any) -> None:
    cache = subparsers.add_parser(
        "cache", help="the offline cache: rebuild it when it is damaged",
        description="The offline cache only holds copies of what the services have. Import jobs and "
                    "the list of known maps are kept apart and are never touched here.")
    actions = cache.add_subparsers(dest="cache_command", metavar="ACTION", required=True)
    rebuild = actions.add_parser(
        "rebuild", help="move the cache file aside (kept, with a timestamp) and sync afresh",
        description="Move the cache file (or whatever is in its place) aside with a timestamp, make a "
                    "new one and fill it with `cabinet sync`.")
    rebuild.add_argument("--no-sync", action="store_true", help="only move it aside and make a new, empty one")
    rebuild.set_defaults(func=run_rebuild)


def run_rebuild(args: argparse.Namespace) -> int:
    # start-up: `cabinet` imports this module to register the command; this loads when it runs
    from app.services.config import data_dir
    from app.storage import rebuild_cache
    from app.storage.state import CACHE_FILE

    path = data_dir() / CACHE_FILE
    cache, moved = rebuild_cache(path)  # a new, empty cache (and the state database, untouched)
    cache.close()
    if moved is None:
        print(f"There was no cache at {path}; made a new one.", file=sys.stderr)
    else:
        print(f"Moved the old cache aside to {moved} (delete it when you no longer need it).", file=sys.stderr)
    if args.no_sync:
        print(f"A new, empty cache is at {path}. Fill it with: cabinet sync", file=sys.stderr)
        return 0
    return _sync()


def _sync() -> int:
    """`cabinet sync` with its defaults, as if typed."""
    # start-up: `cabinet` imports this module to register the command; this loads when it runs
    from app.sync import cli as sync_cli

    parser = argparse.ArgumentParser(prog="cabinet")
    sync_cli.register(parser.add_subparsers(dest="command"))
    sync_args = parser.parse_args(["sync"])
    return int(sync_args.func(sync_args) or 0)
