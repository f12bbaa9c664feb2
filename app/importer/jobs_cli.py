"""Real imports from the command line: `cabinet import FILE --map ID`, `--resume [JOB_ID]`, `--list`.

Called by app/importer/cli.py (which owns the argument parser and ``--dry-run``). Same
configuration as the app: the Mapiry key from MAPIRY_API_KEY or the keyring, the base URL
from MAPIRY_BASE_URL or the saved settings; jobs live in the app's state database (beside the cache).

Exit statuses: 0 the job is done; 1 the job failed or was interrupted (the reason is printed,
and how to resume); 2 a usage, file or configuration problem (with what to do), or the job
is being run by another process (who, and since when, is printed; ``--wait`` waits for it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

from app.core.csvimport import CsvImportError
from app.core.errors import CabinetError, NotFoundError
from app.core.registry import RESOURCES
from app.importer import jobs as J
from app.importer.filejob import FileCheck, check_file, count_existing, create_file_job, plan_map
from app.importer.files import column_overrides, file_problem, options
from app.importer.jobs import JobInfo, JobStore, open_store
from app.importer.lease import Holder, JobHeldError, LeaseLostError
from app.importer.ports import IMPORT_SERVICE
from app.importer.runner import JobProgress, JobRunner, JobSummary, summarize
from app.importer.taxonomy import KINDS, create_missing
from app.services.config import BadSettingError, MissingKeyError
from app.services.connect import load_connection, make_client
from app.services.mapiry import MapiryClient

OK, FAILED, USAGE = 0, 1, 2
HELD = USAGE  # another runner holds the job: nothing was done (see --wait)
HELD_POLL = 1.0  # seconds between looks at a held job's lease while --wait waits


def _err(*lines: str) -> None:
    for line in lines:
        if line:
            print(line, file=sys.stderr)


def _usage(message: str, hint: str = "") -> int:
    _err(f"cabinet import: {message}", hint)
    return USAGE


def run_import_command(args: argparse.Namespace) -> int:
    """Entry point from app/importer/cli.py for everything but --dry-run."""
    if getattr(args, "list_jobs", False) or getattr(args, "list", False):
        return _list_jobs(args)
    resume = getattr(args, "resume", None)
    if resume not in (None, False):
        job_id = resume if isinstance(resume, str) and resume not in ("", "latest") else None
        return _resume(args, job_id)
    return _import(args)


# ---- shared pieces ----------------------------------------------------------------------
def _open_store() -> JobStore:
    return open_store()


def _make_client() -> MapiryClient:
    conn = load_connection(IMPORT_SERVICE)
    try:
        client = make_client(conn)
    except (MissingKeyError, BadSettingError) as exc:
        raise _UsageProblem(exc.user_message()) from None
    if not isinstance(client, MapiryClient):
        raise TypeError(f"imports need the Mapiry client, not {type(client).__name__}")
    return client


class _UsageProblem(Exception):
    pass


class _ProgressLine:
    """One line on stderr: rewritten in place on a terminal, a line per change otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = ""
        self.last_state = ""
        self.last_time = 0.0

    def __call__(self, p: JobProgress) -> None:
        text = (f"{p.job_id}: {p.state}, batches {p.batches_sent}/{p.batches_total}, "
                f"{p.rows_created}/{p.rows_total} locations created")
        if p.rejected:
            text += f", {p.rejected} rejected"
        if p.state == J.WAITING and p.wait_until:
            text += f", waiting {p.wait_seconds:.0f} s (until {time.strftime('%H:%M:%S', time.localtime(p.wait_until))}): " \
                    f"{p.message or 'the rate limit'}"
        now = time.monotonic()
        if text == self.last or (p.state == self.last_state and now - self.last_time < 0.5
                                 and p.batches_sent < p.batches_total):
            return
        self.last, self.last_state, self.last_time = text, p.state, now
        if self.tty:
            sys.stderr.write("\r\x1b[K" + text)
        else:
            sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def end(self) -> None:
        if self.tty and self.last:
            sys.stderr.write("\n")


def _finish(summary: JobSummary, as_json: bool) -> int:
    if as_json:
        json.dump(summary.as_json(), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(f"Import job {summary.job_id}: {summary.state}; {summary.created} locations created, "
              f"{summary.skipped} skipped, {len(summary.rejected)} rejected, {summary.batches} batches.")
        for r in summary.rejected[:20]:
            print(f"  line {r['line']}: {r['error']}")
        if len(summary.rejected) > 20:
            print(f"  ... and {len(summary.rejected) - 20} more (use --json to see them all)")
    if summary.state == J.DONE:
        return OK
    if summary.state == J.FAILED:
        _err(f"The import failed: {summary.error or 'unknown reason'}",
             f"Fix the problem, then continue with: cabinet import --resume {summary.job_id}")
    elif summary.state != J.CANCELLED:
        _err(f"The import stopped before the end. Continue with: cabinet import --resume {summary.job_id}")
    return FAILED


class _Held(Exception):
    """Another runner holds the job and we were not asked to wait."""


async def _run_job(store: JobStore, client: MapiryClient, job_id: str, *, wait: bool = False) -> JobSummary:
    """Run the job; with ``wait``, first wait for another runner that holds it to let go."""
    said = False
    while True:
        line = _ProgressLine()
        try:
            return await JobRunner(store, client, job_id, progress=line).run()
        except JobHeldError as exc:
            if not wait:
                _err(f"cabinet import: {exc.user_message()}")
                raise _Held from None
            if not said:
                _err(f"{exc.holder.describe()}; waiting for it to finish (Ctrl+C to stop waiting).")
                said = True
            await asyncio.sleep(HELD_POLL)
        except LeaseLostError as exc:
            _err(f"cabinet import: {exc.user_message()}")
            raise _Held from None
        finally:
            line.end()


def _run(coro: Any, store: JobStore, job_id_box: list[str]) -> JobSummary | int:
    try:
        return asyncio.run(coro)
    except _Held:
        return HELD
    except KeyboardInterrupt:
        if job_id_box:
            _err("", f"Interrupted. Continue with: cabinet import --resume {job_id_box[0]}")
        return 130


# ---- import FILE --map ID ---------------------------------------------------------------
def _import(args: argparse.Namespace) -> int:
    """The file is streamed (filejob.py): memory does not grow with it. The key and the map
    are checked before the file is read."""

    path = args.file
    try:
        map_id = MapiryClient.parse_map_ref(args.map_id)
    except ValueError as exc:
        return _usage(f"'{args.map_id}' is not a map id or map URL ({exc})",
                      "Give the map's id (or its URL) with --map.")
    try:
        client = _make_client()
    except _UsageProblem as exc:
        return _usage(str(exc))
    try:
        check = check_file(path, options(args), column_overrides(args) or None)
    except OSError as exc:
        return _usage(*file_problem(path, exc))
    except CsvImportError as exc:
        return _usage(f"{path}: {exc.message}", exc.hint or "")
    if not check.valid:
        return _usage(f"{path}: none of the {check.rows} rows is valid, nothing to import",
                      "Check the file with: cabinet import FILE --dry-run")
    for warning in check.warnings:
        _err(f"warning: {warning}")
    if check.invalid_count:
        _err(f"{check.invalid_count} invalid rows will not be sent (see them with --dry-run).")
    store = _open_store()
    box: list[str] = []
    o = check.options
    meta = {"mapping": dict(check.columns),
            "options": {"encoding": o.encoding, "delimiter": o.delimiter, "decimal_comma": o.decimal_comma,
                        "has_header": o.has_header}}
    outcome = _run(_import_async(args, store, client, map_id, check, meta, box), store, box)
    store.close()
    return outcome if isinstance(outcome, int) else _finish(outcome, bool(getattr(args, "json", False)))


async def _import_async(args: argparse.Namespace, store: JobStore, client: MapiryClient, map_id: str,
                        check: FileCheck, meta: dict[str, Any], box: list[str]) -> JobSummary | int:

    async with client:
        try:
            plan = await plan_map(client, map_id, check)
        except NotFoundError:
            return _usage(f"there is no map '{map_id}' in this Mapiry account",
                          "Check the map id (or URL) given with --map.")
        except CabinetError as exc:
            _err(f"cabinet import: {exc.user_message()}")
            return FAILED
        existing = count_existing(check, plan)
        skip = bool(getattr(args, "skip_existing", False))
        if existing and not skip and not getattr(args, "allow_duplicates", False):
            return _usage(
                f"{existing} of the {check.valid} rows are already on map {map_id} "
                "(same name and coordinates); nothing was sent",
                "Pass --skip-existing to import only the others, or --allow-duplicates to import them again.",
            )
        if existing and skip:
            _err(f"Skipping {existing} rows already on the map.")
        if skip and existing == check.valid:
            _err("Every row is already on the map.")
        try:
            if plan.taxonomy.has_missing:
                await create_missing(client, map_id, plan.taxonomy)
        except CabinetError as exc:
            _err(f"cabinet import: creating the missing categories, tags or layers failed: {exc.user_message()}")
            return FAILED
        job_id = create_file_job(store, check, plan, map_id, skip_existing=skip, meta=meta)  # nothing else runs
        box.append(job_id)
        for kind in KINDS:
            for name in plan.taxonomy.created[kind]:
                _err(f"Created the {RESOURCES[kind].singular} '{name}' on the map.")
        info = store.get_job(job_id)
        assert info is not None
        _err(f"Import job {job_id}: {info.total_rows} locations in {info.batches_total} batches "
             f"to map {map_id}.")
        return await _run_job(store, client, job_id, wait=bool(args.wait))


# ---- --resume [JOB_ID] ------------------------------------------------------------------
def _resume(args: argparse.Namespace, job_id: str | None) -> int:
    store = _open_store()
    try:
        if job_id is None:
            unfinished = store.list_jobs(J.UNFINISHED_STATES)
            if not unfinished:
                return _usage("there is no unfinished import job to resume",
                              "See the jobs with: cabinet import --list")
            info: JobInfo | None = unfinished[0]
        else:
            info = store.get_job(job_id)
            if info is None:
                return _usage(f"there is no import job '{job_id}'", "See the jobs with: cabinet import --list")
        assert info is not None
        if info.state in J.FINISHED_STATES:
            _err(f"Import job {info.id} is already {info.state}.")
            return _finish(summarize(store, info.id), bool(getattr(args, "json", False)))
        try:
            client = _make_client()
        except _UsageProblem as exc:
            return _usage(str(exc))
        _err(f"Resuming import job {info.id} ({info.rows_created}/{info.total_rows} locations created).")

        async def go() -> JobSummary:
            async with client:
                return await _run_job(store, client, info.id, wait=bool(args.wait))

        outcome = _run(go(), store, [info.id])
        return outcome if isinstance(outcome, int) else _finish(outcome, bool(getattr(args, "json", False)))
    finally:
        store.close()


def _runner(holder: Holder | None) -> dict[str, Any] | None:
    if holder is None:
        return None
    return {"host": holder.owner.host, "pid": holder.owner.pid, "since": holder.acquired_at,
            "heard": holder.heartbeat_at}


# ---- --list -----------------------------------------------------------------------------
def _list_jobs(args: argparse.Namespace) -> int:
    store = _open_store()
    try:
        jobs = store.list_jobs()
        holders = {j.id: h for j in jobs if not j.finished and (h := store.lease_holder(j.id)) is not None}
    finally:
        store.close()
    if getattr(args, "json", False):
        json.dump([{**j.as_dict(), "run_by": _runner(holders.get(j.id))} for j in jobs], sys.stdout,
                  ensure_ascii=False)
        sys.stdout.write("\n")
        return OK
    if not jobs:
        print("No import jobs.")
        return OK
    for j in jobs:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(j.created_at))
        extra = ""
        if j.state == J.WAITING and j.wait_until:
            extra = f", next batch at {time.strftime('%H:%M:%S', time.localtime(j.wait_until))}"
        if j.state == J.FAILED and j.error:
            extra = f", {j.error.splitlines()[0]}"
        if j.id in holders:
            holder = holders[j.id]
            extra += (f", run by {holder.owner.describe()} since "
                      f"{time.strftime('%H:%M:%S', time.localtime(holder.acquired_at))}")
        print(f"{j.id}  {when}  {j.state:<9} {j.rows_created}/{j.total_rows} created, "
              f"batches {j.batches_confirmed}/{j.batches_total}, map {j.map_id}, {j.name}{extra}")
    return OK
