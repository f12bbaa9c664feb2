"""Headless commands on the sync engine: `sync`, `maps add|list|remove`, `export`.

No Qt; top-level imports stay light (argparse only) so `cabinet --help` is fast — the
handlers import the cache, the adapters and httpx when they run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import time
from typing import TYPE_CHECKING, Any

from app.core.errors import clock_time
from app.core.registry import APP_SERVICES as SERVICES
from app.core.registry import MAP_SCOPED, RESOURCES, service_title
from app.core.registry import SERVICES as SERVICE_FACTS

if TYPE_CHECKING:
    from app.storage import Cache
    from app.sync.engine import SyncReport
    from app.sync.known_maps import MapCheck

EXPORTABLE = tuple(RESOURCES)
KEY_HELP = ("Set the keys in Settings (Ctrl+,) in the Cabinet app, or in the environment: "
            + ", ".join(SERVICE_FACTS[s].key_env for s in SERVICES)
            + " (and " + " / ".join(SERVICE_FACTS[s].url_env for s in SERVICES) + " for other servers; "
            + "; ".join(f"{' or '.join(s.secret_env(x) for x in s.secrets)} for {s.title}'s further keys"
                        for s in SERVICE_FACTS.values() if s.secrets) + ").")


def register(subparsers: Any) -> None:
    sync = subparsers.add_parser(
        "sync", help="fill the offline cache from " + ", ".join(service_title(s) for s in SERVICES),
        description="Fetch every resource (every page) into the offline cache and print counts per resource; "
                    "a resource that fails is reported by itself and the others go on. Exit status: 0 done, "
                    "1 something failed (offline, a refused key, a resource, the service asked for by --service "
                    "has no key), 2 a configuration problem (no service has a key, a bad address or key), "
                    "3 a service asked for a wait longer than --max-wait.")
    sync.add_argument("--service", choices=(*SERVICES, "all"), default="all",
                      help="which service to sync (default: all)")
    sync.add_argument("--json", action="store_true", help="print the result as JSON")
    sync.add_argument("--max-wait", type=_seconds, default=None, metavar="SECONDS",
                      help="the longest rate-limit wait to sit out (default 300); a longer one ends the "
                           "sync at once with exit status 3")
    sync.set_defaults(func=run_sync)

    maps = subparsers.add_parser("maps", help="the Mapiry maps Cabinet knows about",
                                 description="Mapiry has no endpoint that lists maps: register yours here.")
    maps_sub = maps.add_subparsers(dest="maps_command", metavar="ACTION", required=True)
    add = maps_sub.add_parser(
        "add", help="register maps by id or address",
        description="Each map is checked with Mapiry (GET /maps/:mapId) and registered when found. Exit status: "
                    "0 all registered (or already known), 1 one was not found, not readable with this key, or "
                    "failed, 2 one is not a map id or address.")
    add.add_argument("map_refs", metavar="MAP_ID_OR_URL", nargs="+",
                     help="map ids or map addresses (https://mapiry.com/maps/<id>); several at once")
    add.set_defaults(func=run_maps_add)
    lst = maps_sub.add_parser("list", help="list the registered maps")
    lst.add_argument("--json", action="store_true", help="print as JSON")
    lst.set_defaults(func=run_maps_list)
    rm = maps_sub.add_parser("remove", help="forget a map and what is cached of it")
    rm.add_argument("map_id", metavar="ID")
    rm.set_defaults(func=run_maps_remove)

    export = subparsers.add_parser(
        "export", help="write what the cache holds to CSV or JSON (works offline)",
        description="Write the cached records of a resource. CSV columns are the API's field names; "
                    "lists and objects are JSON-encoded in their cell.")
    export.add_argument("resource", choices=EXPORTABLE, metavar="RESOURCE",
                        help="one of: " + ", ".join(EXPORTABLE))
    export.add_argument("--map", dest="map_id", default=None, help="only this map (map-scoped resources, maps)")
    export.add_argument("--format", choices=("csv", "json"), default=None,
                        help="csv or json (default: from the -o file name, else csv)")
    export.add_argument("-o", "--output", default=None, help="file to write (default: standard output)")
    export.set_defaults(func=run_export)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 <= value < 1e9:
        raise argparse.ArgumentTypeError("must be between 0 and 999999999 seconds")
    return value


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# Exit statuses of the headless commands (README, "Robustness").
EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_RATE_LIMITED = 0, 1, 2, 3


# -- sync ---------------------------------------------------------------------------------------
def run_sync(args: argparse.Namespace) -> int:
    # start-up: `cabinet` imports this module to register the command; this loads when it runs
    import asyncio

    from app.core.errors import CabinetError, InsecureUrlError, InvalidInputError
    from app.services.connect import load_connection, make_client
    from app.services.credentials import CredentialStore
    from app.storage import Cache
    from app.sync.engine import MAX_WAIT, SyncEngine

    wanted = tuple(SERVICES) if args.service == "all" else (args.service,)
    store = CredentialStore()
    conns = {s: load_connection(s, store) for s in wanted}
    missing = [s for s, c in conns.items() if not c.api_key]
    usable = [s for s in wanted if s not in missing]
    if not usable:
        names = " and ".join(_name(s) for s in missing)
        _err(f"No API key is set for {names}, so there is nothing to sync. {KEY_HELP}")
        return EXIT_CONFIG
    try:
        clients = {s: make_client(conns[s], max_retries=1) for s in usable}
    except (InsecureUrlError, InvalidInputError) as exc:  # a bad address or a key that cannot be sent
        _err(exc.user_message())
        return EXIT_CONFIG
    max_wait = MAX_WAIT if args.max_wait is None else args.max_wait

    cache = Cache()
    try:
        if "mapiry" in usable and not cache.known_maps():
            _err("Note: no Mapiry maps are registered yet; add one with `cabinet maps add MAP_ID_OR_URL`.")

        async def go() -> Any:
            try:
                engine = SyncEngine(cache, *clients.values(),
                                    max_wait=max_wait, stop_when_rate_limited=True)
                return await engine.sync(tuple(usable), progress=_announce)
            finally:
                for client in clients.values():
                    await client.aclose()

        try:
            report = asyncio.run(go())
        except CabinetError as exc:
            _err(exc.user_message())
            return EXIT_FAILED
        return _print_report(args, report, usable, missing, cache)
    finally:
        cache.close()


def _announce(progress: Any) -> None:
    """Say every wait before it is slept, and a wait too long at once (the sync then ends)."""
    if progress.state == "waiting" and progress.until is not None:
        seconds = max(0.0, progress.until - time.time())
        _err(f"{_name(progress.service)} is limiting requests: waiting {seconds:.0f} s "
             f"(until {clock_time(progress.until)}), then going on.")
    elif progress.state == "rate_limited":
        _err(progress.reason)


def _name(service: str) -> str:
    return service_title(service)


def _print_report(args: argparse.Namespace, report: SyncReport, usable: list[str], missing: list[str],
                  cache: Cache) -> int:
    # start-up: `cabinet` imports this module to register the command; this loads when it runs
    from app.sync.engine import sync_order

    order = {name: i for i, name in enumerate(r for service in SERVICES for r in sync_order(service))}
    report.counts = dict(sorted(report.counts.items(), key=lambda kv: order.get(kv[0], 99)))
    limited = report.rate_limited
    messages = []
    for service in sorted(report.offline):
        messages.append(f"{_name(service)} is offline or unreachable: the cached data was kept as it was.")
    for key, exc in report.errors.items():
        if exc is limited:
            continue  # said at once, when it happened
        if ":" not in key:
            continue  # a service's first error: also under its resource's key
        service, rest = key.split(":", 1)
        messages.append(f"{_name(service)} {rest.replace(':', ' of map ', 1)}: {exc.user_message()}")
    if missing and args.service == "all":  # services the person does not use: one short line
        names = ", ".join(_name(s) for s in missing)
        keys = ", ".join(SERVICE_FACTS[s].key_env for s in missing)
        synced = " The services with a key were synced." if not (report.offline or report.errors) else ""
        messages.append(f"Not connected (no API key), skipped: {names}. Connect them in Settings (Ctrl+,) "
                        f"in the Cabinet app, or set {keys}.{synced}")
    elif missing:
        messages.append(f"No API key is set for {_name(missing[0])}; skipped. {KEY_HELP}")
    # A service asked for by name must have a key; "all" syncs the connected ones and notes the rest.
    failed = bool(report.offline or report.errors or (missing and args.service != "all"))
    status = EXIT_RATE_LIMITED if limited is not None else EXIT_FAILED if failed else EXIT_OK
    if args.json:
        print(json.dumps({
            "ok": not failed,
            "exit_status": status,
            "resources": report.resource_results(usable),
            "counts": report.counts,
            "offline": sorted(report.offline),
            "errors": {k: v.user_message() for k, v in report.errors.items()},
            "rate_limited": None if limited is None else {
                "service": limited.service, "seconds": round(limited.seconds, 1), "until": limited.until},
            "missing_keys": missing,
            "cache": str(cache.path),
        }, indent=2))
    else:
        width = max((len(k) for k in report.counts), default=0)
        for res, n in report.counts.items():
            print(f"{res:<{width}}  {n:>7,}")
        if not report.counts:
            print("Nothing was synced.")
    for text in messages:
        _err(text)
    return status


# -- maps ---------------------------------------------------------------------------------------
def _parse_map_ref(text: str) -> str:
    # start-up: the adapter (httpx) loads only when a command needs it
    from app.services.mapiry import MapiryClient

    return MapiryClient.parse_map_ref(text)


def run_maps_add(args: argparse.Namespace) -> int:
    """Check each map with GET /maps/:mapId and register the ones found (the window's Add
    existing maps… does the same, through :func:`app.sync.known_maps.add_maps`). With no key,
    or when Mapiry cannot be reached, a well-formed id is registered unchecked, with a note."""
    # start-up: `cabinet` imports this module to register the command; this loads when it runs
    import asyncio

    from app.core.errors import InsecureUrlError, InvalidInputError
    from app.services.connect import load_connection, make_client
    from app.storage import Cache
    from app.sync import known_maps as km

    # Each argument is one entry (the shell split them), or several separated by commas.
    refs = list(dict.fromkeys(part.strip() for arg in args.map_refs for part in re.split(r"[,;\n]+", arg)
                              if part.strip()))
    conn = load_connection("mapiry")
    cache = Cache()
    try:
        if not conn.api_key:
            results = [_register_unchecked(cache, ref) for ref in refs]
            note = f"Registered without checking online: no Mapiry API key is set. {KEY_HELP}"
        else:
            try:
                client = make_client(conn, max_retries=1)
            except (InsecureUrlError, InvalidInputError) as exc:  # the address or key cannot be used
                _err(exc.user_message())
                return EXIT_CONFIG

            async def check() -> list[km.MapCheck]:
                try:
                    return await km.add_maps(cache, client, refs)
                finally:
                    await client.aclose()

            results = [_register_unchecked(cache, r.ref) if r.outcome == km.OFFLINE else r
                       for r in asyncio.run(check())]
            note = ("Mapiry could not be reached: the maps were registered without checking them; "
                    "`cabinet sync` will." if any(r.detail == _UNCHECKED for r in results) else "")
    finally:
        cache.close()
    for r in results:
        title = f" ({r.title})" if r.title else ""
        if r.outcome == km.ADDED:
            print(f"Registered map {r.map_id}{title}.")
        elif r.outcome == km.KNOWN:
            print(f"Map {r.map_id}{title} is already registered.")
        elif r.outcome == km.NOT_FOUND:
            _err(f"{r.ref}: Mapiry has no map {r.map_id} that this API key can see (deleted, or of another "
                 "account). Check the id; it was not registered.")
        elif r.outcome != km.INVALID or r.map_id:
            _err(f"{r.ref}: {r.detail} The map was not registered.")
        else:
            _err(r.detail)
    if note:
        _err(note)
    if any(r.outcome in (km.NOT_FOUND, km.NO_ACCESS, km.FAILED) for r in results):
        return EXIT_FAILED
    return EXIT_CONFIG if any(r.outcome == km.INVALID for r in results) else EXIT_OK


_UNCHECKED = "registered without checking"


def _register_unchecked(cache: Cache, ref: str) -> MapCheck:
    """Register a well-formed map id without asking Mapiry (no key, or Mapiry unreachable)."""
    # start-up: `cabinet` imports this module to register the command; this loads when it runs
    from app.sync import known_maps as km

    try:
        map_id = _parse_map_ref(ref)
    except ValueError as exc:
        return km.MapCheck(ref, km.INVALID, detail=str(exc))
    if any(m["id"] == map_id for m in cache.known_maps()):
        return km.MapCheck(ref, km.KNOWN, map_id, str((cache.get("maps", map_id) or {}).get("title") or ""))
    cache.add_known_map(map_id, "manual")
    return km.MapCheck(ref, km.ADDED, map_id, detail=_UNCHECKED)


def run_maps_list(args: argparse.Namespace) -> int:
    # start-up: `cabinet` imports this module to register the command; this loads when it runs
    from app.storage import Cache

    cache = Cache()
    try:
        maps = cache.known_maps()
    finally:
        cache.close()
    if args.json:
        print(json.dumps(maps, indent=2))
    elif not maps:
        print("No maps registered. Add one with `cabinet maps add MAP_ID_OR_URL`.")
    else:
        for m in maps:
            print(f"{m['id']}  {m['source']:<8}  {m.get('title') or '(not synced yet)'}")
    return 0


def run_maps_remove(args: argparse.Namespace) -> int:
    # start-up: `cabinet` imports this module to register the command; this loads when it runs
    from app.storage import Cache

    cache = Cache()
    try:
        ids = {m["id"] for m in cache.known_maps()}
        map_id = args.map_id.strip()
        if map_id not in ids:
            with contextlib.suppress(ValueError):
                map_id = _parse_map_ref(map_id)
        if map_id not in ids:
            _err(f"No registered map {args.map_id}. See `cabinet maps list`.")
            return 1
        cache.remove_known_map(map_id)
    finally:
        cache.close()
    print(f"Removed map {map_id} and its cached data.")
    return 0


# -- export -------------------------------------------------------------------------------------
def run_export(args: argparse.Namespace) -> int:
    # start-up: `cabinet` imports this module to register the command; this loads when it runs
    from app.storage import Cache
    from app.sync.export import ExportError, write_export, write_export_file

    fmt = args.format or ("json" if (args.output or "").lower().endswith(".json") else "csv")
    if args.map_id and args.resource not in (*MAP_SCOPED, "maps"):
        _err(f"--map applies to maps and map contents ({', '.join(MAP_SCOPED)}), not to {args.resource}.")
        return 1
    cache = Cache()
    try:
        if args.resource == "maps":
            rows = cache.all_rows("maps")
            if args.map_id:
                rows = [r for r in rows if r.get("id") == args.map_id]
        else:
            rows = cache.all_rows(args.resource, scope=args.map_id if args.resource in MAP_SCOPED else None)
        synced = cache.last_synced(args.resource, args.map_id or "")
    finally:
        cache.close()
    if args.output:
        try:
            write_export_file(args.output, rows, fmt)
        except ExportError as exc:
            _err(f"cabinet export: {exc}")
            return 2
    else:
        write_export(sys.stdout, rows, fmt)
    where = args.output or "standard output"
    if not rows:
        _err(f"The cache holds no {args.resource}" + (f" of map {args.map_id}" if args.map_id else "")
             + "; run `cabinet sync` first.")
    elif args.output:
        when = f" (synced {synced:%Y-%m-%d %H:%M} UTC)" if synced else ""
        _err(f"Wrote {len(rows):,} {args.resource} to {where}{when}.")
    return 0
