"""Cabinet's command line: `cabinet [gui] [--demo] [FILE]`, `sandbox`, `sync`, `maps`, `export`, `import`.

Each sub-command lives with the layer it drives and registers itself here through a
`register(subparsers)` function. Those modules keep their top-level imports light (no Qt,
no httpx) so that `cabinet --help` and the GUI start stay fast; heavy imports happen
inside the command's handler.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from app import version

# Modules that register sub-commands, in the order they appear in --help.
COMMAND_MODULES = (
    "app.sandbox.cli",
    "app.sync.cli",
    "app.importer.cli",
    "app.sync.cache_cli",
)


def _run_gui(args: argparse.Namespace) -> int:
    from app.ui.launch import run_gui  # start-up: Qt is imported only for the GUI

    return run_gui(args)


class _VersionAction(argparse.Action):
    """``--version``: reads the version (importlib.metadata) only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, nargs=0,
                         help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        print(f"cabinet {version()}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cabinet",
        description="Cabinet: browse and edit your InstaMapp inventory and Mapiry maps, online or offline.",
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="also print the log to stderr (it always goes to the log file)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = sub.add_parser("gui", help="open the desktop app (the default)")
    gui.add_argument("--demo", action="store_true", help="run on the built-in sandbox with demo data")
    gui.add_argument("file", nargs="?", help="a CSV/TSV file to open in the import wizard")
    gui.set_defaults(func=_run_gui)

    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _normalise(argv: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """Make `gui` the default: `cabinet`, `cabinet --demo`, `cabinet file.csv` all open the GUI."""
    commands = set()
    for action in parser._subparsers._group_actions:  # noqa: SLF001 - argparse has no public API for this
        commands.update(action.choices)
    options = [a for a in argv[:1] if a in ("--verbose", "-v")]  # the one option before a command
    rest = argv[len(options):]
    if not rest:
        return [*options, "gui"]
    first = rest[0]
    if first in commands or first in ("-h", "--help", "--version"):
        return argv
    return [*options, "gui", *rest]


# The plain starts of the desktop app (`cabinet`, `cabinet --demo`): no parser to build, so the
# window does not wait on every sub-command's argparse set-up.
_PLAIN_GUI_STARTS = {(): False, ("--demo",): True, ("gui",): False, ("gui", "--demo"): True}


def main(argv: Sequence[str] | None = None) -> int:
    argv_list = list(sys.argv[1:] if argv is None else argv)
    demo = _PLAIN_GUI_STARTS.get(tuple(argv_list))
    if demo is not None:
        args = argparse.Namespace(command="gui", demo=demo, file=None, func=_run_gui, verbose=False)
    else:
        parser = build_parser()
        args = parser.parse_args(_normalise(argv_list, parser))
    if args.command == "gui":  # the GUI sets its log up after the first paint (app.ui.launch)
        return _run(args)
    import logging  # start-up: not on the GUI's way to its first paint

    from app.services import diagnostics

    diagnostics.setup_logging(verbose=args.verbose)
    diagnostics.enable_faulthandler()
    log = logging.getLogger("cabinet")
    log.info("command: %s", args.command)
    try:
        return _run(args)
    except Exception:
        log.exception("command %s failed", args.command)
        raise
    finally:
        diagnostics.teardown_logging()


USAGE = 2  # exit status of a usage, file or configuration problem


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `cabinet export items | head`: the reader went away; end quietly
        import os  # start-up: the error path only

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the interpreter's last flush must not fail again
        os.close(devnull)
        return 1
    except Exception as exc:
        return _storage_problem(args, exc)


def _storage_problem(args: argparse.Namespace, exc: Exception) -> int:
    """A database file Cabinet cannot use (damaged, read-only, a full disk): say which file and
    what to do, exit 2. Anything else goes on up."""
    import sqlite3  # start-up: the error path only: the start of every command stays light

    from app.services.config import data_dir
    from app.storage.errors import StorageError, database_error
    from app.storage.state import CACHE_FILE

    problem = database_error(exc, data_dir() / CACHE_FILE) if isinstance(exc, sqlite3.Error) else exc
    if not isinstance(problem, StorageError):
        raise exc
    print(f"cabinet {args.command}: {problem.user_message()}", file=sys.stderr)
    return USAGE
