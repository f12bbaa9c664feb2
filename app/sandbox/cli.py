"""`cabinet sandbox`: run the local sandbox of the four APIs until Ctrl+C or SIGTERM.

The first line on stdout is one JSON object (base URLs, provisioned keys, seeded map ids).
Heavy imports (starlette, uvicorn) happen inside the handler.
"""

from __future__ import annotations

import argparse
import errno
import json
import signal
import sys
import threading
from typing import Any


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be > 0")
    return value


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sandbox",
        help="run a local server that speaks the InstaMapp, Mapiry, Instabot and InstaWP APIs",
        description="Run the local sandbox. The first stdout line is a JSON object with the four base URLs "
        "and the API keys it provisioned; it serves until Ctrl+C or SIGTERM.",
    )
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0 = a free port)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--seed", choices=("demo", "empty"), default="demo", help="demo data or accounts only")
    parser.add_argument("--time-scale", type=_positive_float, default=1.0,
                        help="divide every rate-limit window by this factor (3600 makes an hour last 1 s)")
    parser.add_argument("--db", default=None, help="SQLite file to keep the data in (default: a temp file)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # start-up: the server (starlette, uvicorn) loads only when the sandbox runs, not for `cabinet`
    from app.sandbox.server import SandboxServer

    if not 0 <= args.port <= 65535:
        sys.stderr.write(f"--port {args.port} is not a port number (0-65535; 0 picks a free one).\n")
        return 2
    server = SandboxServer(seed=args.seed, time_scale=args.time_scale, port=args.port,
                           db_path=args.db, host=args.host)
    try:
        server.start()
    except OSError as exc:
        why = "it is already in use" if exc.errno == errno.EADDRINUSE else (exc.strerror or str(exc))
        sys.stderr.write(f"The sandbox cannot listen on {args.host} port {args.port}: {why}. "
                         "Choose another with --port N, or --port 0 for a free one.\n")
        return 2
    done = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        done.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        sys.stdout.write(json.dumps(server.info) + "\n")
        sys.stdout.flush()
        sys.stderr.write(f"Sandbox listening on {server.base_url} (Ctrl+C to stop)\n")
        sys.stderr.flush()
        while not done.wait(0.5):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.stop()
    return 0
