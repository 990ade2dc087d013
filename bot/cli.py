"""`vsbot`: the one command-line entry point. Errors are one clear line on stderr and a non-zero exit."""
from __future__ import annotations

import argparse
import asyncio
import gc
import io
import logging
import signal
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import ValidationError


class CliError(Exception):
    """A problem the user can fix; printed as one line."""


def _one_line(problems: list[str], most: int = 20) -> str:
    """Every problem, on the one line an error gets ("; " between them)."""
    shown = "; ".join(p.replace("\n", " ") for p in problems[:most])
    return shown + (f"; and {len(problems) - most} more" if len(problems) > most else "")


def _settings():
    from bot.settings import Settings  # pylint: disable=import-outside-toplevel

    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        raise CliError(f"configuration error: {first.get('msg')}") from exc


def _database_name(url: str) -> str:
    """The database a URL points at, as an operator would recognise it (no password)."""
    from sqlalchemy.engine import make_url  # pylint: disable=import-outside-toplevel

    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - an unusable URL is reported elsewhere
        return "DATABASE_URL"
    if parsed.get_backend_name() == "sqlite":
        return f"the SQLite file {Path(parsed.database or '').resolve()}" if parsed.database else "an in-memory SQLite database"
    return f"the database {parsed.render_as_string(hide_password=True)}"


def _require_database(settings) -> None:
    """Every command but `db upgrade` uses an existing database: SQLite would otherwise create an empty file
    wherever vsbot was run from (and PostgreSQL's error would not say which database it meant)."""
    from sqlalchemy.engine import make_url  # pylint: disable=import-outside-toplevel
    from sqlalchemy.exc import ArgumentError  # pylint: disable=import-outside-toplevel

    url = settings.effective_database_url
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise CliError("DATABASE_URL is not a usable SQLAlchemy URL (e.g. postgresql+asyncpg://user@host/db)") from exc
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return
    if not Path(parsed.database).is_file():
        where = "DATABASE_URL" if settings.database_url else "the default, var/vsbot.db under the current directory"
        raise CliError(f"no database at {Path(parsed.database).resolve()} ({where}); nothing was created. Run "
                       "`vsbot db upgrade` to create it there, or set DATABASE_URL to the existing one")


def _database_settings():
    settings = _settings()
    _require_database(settings)
    return settings


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop where it is installed (not on Windows): the same asyncio API, with sockets handled in C."""
    try:
        import uvloop  # pylint: disable=import-outside-toplevel
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def _configure_logging(level: str) -> None:
    logging.basicConfig(level=getattr(logging, level.upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    quiet_library_loggers()


def quiet_library_loggers() -> None:
    """Libraries whose logs would carry what people typed or where they are, whatever VSB_LOG_LEVEL says."""
    # aiohttp's access log would record request paths and ips; our per-turn line is the record.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # APScheduler logs every run (the lease renews every 20 s); our job lines say what each run did.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # aiosqlite at DEBUG logs every statement with its parameters: children's names, dates of birth, postcodes.
    logging.getLogger("aiosqlite").setLevel(logging.WARNING)
    # SQLAlchemy's engine log at INFO/DEBUG shows statements and result rows (parameters are hidden, rows not).
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)


async def _with_session(settings, work):
    from storage.db import create_engine, session_factory  # pylint: disable=import-outside-toplevel

    engine = create_engine(settings.effective_database_url)
    try:
        async with session_factory(engine)() as session:
            return await work(session)
    finally:
        await engine.dispose()


def _is_loopback(host: str) -> bool:
    import ipaddress  # pylint: disable=import-outside-toplevel

    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def _freeze_startup_heap() -> None:
    """What startup built (modules, the knowledge base, the app) lives as long as the process: gc.freeze() keeps
    the collector from scanning it again. A full collection scanning it took 150-170 ms, stalling every turn in
    flight, three times in a 25-second referral load; frozen, 12-21 ms (measured, issue 8)."""
    gc.collect()
    gc.freeze()


def cmd_serve(args) -> int:
    from aiohttp import web  # pylint: disable=import-outside-toplevel

    from bot.adapter import ProductionGuardError, check_safe_to_start  # pylint: disable=import-outside-toplevel
    from bot.app import create_app  # pylint: disable=import-outside-toplevel

    settings = _settings()
    host = args.host or settings.host
    port = args.port or settings.port
    try:
        check_safe_to_start(settings)
    except ProductionGuardError as exc:
        raise CliError(str(exc)) from exc
    if not settings.auth_enabled and not _is_loopback(host):
        # Development mode without an app id accepts anyone's requests: never from another machine.
        raise CliError(f"authentication is off (no MicrosoftAppId): vsbot serve listens on loopback only "
                       f"(127.0.0.1, ::1 or localhost), not {host}")
    _require_database(settings)
    _configure_logging(settings.log_level)
    host = args.host or settings.host
    port = args.port or settings.port
    # Links in cards (calendar invites) default to where this process listens, unless VSB_PUBLIC_URL says otherwise.
    settings = settings.model_copy(update={"host": host, "port": port})
    try:
        app = create_app(settings, run_scheduler=not args.no_scheduler)
    except ProductionGuardError as exc:
        raise CliError(str(exc)) from exc
    logging.getLogger("vsbot").info("serving on http://%s:%s/api/messages", host, port)
    _freeze_startup_heap()
    # run_app turns SIGINT/SIGTERM into a graceful shutdown: in-flight turns finish, the engine is disposed.
    web.run_app(app, host=host, port=port, print=None, shutdown_timeout=10, loop=new_event_loop())
    return 0


def cmd_db_upgrade(_args) -> int:
    from storage.db import create_engine  # pylint: disable=import-outside-toplevel
    from storage.migrate import current_revision, upgrade  # pylint: disable=import-outside-toplevel

    settings = _settings()

    async def run():
        engine = create_engine(settings.effective_database_url)
        try:
            await upgrade(engine)
            return await current_revision(engine)
        finally:
            await engine.dispose()

    revision = asyncio.run(run())
    print(f"database at revision {revision}")
    return 0


def cmd_demo_seed(_args) -> int:
    from storage.demo import seed  # pylint: disable=import-outside-toplevel

    settings = _database_settings()
    today = datetime.now(ZoneInfo(settings.timezone)).date()

    async def work(session):
        report = await seed(session=session, today=today, timezone=settings.timezone)
        await session.commit()
        return report

    report = asyncio.run(_with_session(settings, work))
    print(f"demo data ready: {report.staff} staff, {report.localities} localities, {report.children} children, "
          f"{report.surgeries_created} new surgeries")
    return 0


def cmd_import(args) -> int:
    """Every problem on its own line (`line N: …`, the first 50 then a count) on stderr, then one line
    saying nothing changed; a progress bar while a long file is read, when stdout is a terminal."""
    from storage.importers import ImportError_, format_problems, import_file  # pylint: disable=import-outside-toplevel
    from storage.importers.common import Progress  # pylint: disable=import-outside-toplevel

    settings = _database_settings()
    today = datetime.now(ZoneInfo(settings.timezone)).date()

    async def work(session):
        try:
            with Progress() as progress:
                report = await import_file(session=session, kind=args.kind, path=Path(args.file), today=today,
                                           skip_bad=args.skip_bad, progress=progress)
        except ImportError_:
            await session.rollback()
            raise
        if args.dry_run:
            await session.rollback()
        else:
            await session.commit()
        return report

    try:
        report = asyncio.run(_with_session(settings, work))
    except ImportError_ as exc:
        lines = format_problems(exc.problems, exc.total)
        if exc.total <= 1:
            raise CliError(f"import failed, nothing changed: {lines[0]}") from exc
        for line in lines:
            print(line, file=sys.stderr)
        raise CliError(f"import failed, nothing changed: {exc.total:,} problems (listed above); fix them, or use "
                       "--skip-bad to import only the good rows") from exc
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for line in report.problems:
        print(f"skipped {line}", file=sys.stderr)
    verb = "would import" if args.dry_run else "imported"
    extra = f", {report.unchanged} unchanged" if report.unchanged else ""
    skipped = f"; {report.skipped} bad row(s) skipped" if report.skipped else ""
    print(f"{verb} {report.rows} {report.kind} rows: {report.created} new, {report.updated} updated{extra}{skipped}")
    return 0


def cmd_manifest_build(args) -> int:
    from bot.app_package import build_app_package  # pylint: disable=import-outside-toplevel

    settings = _settings()
    if not settings.app_id:
        raise CliError("MicrosoftAppId is empty: set it to the bot's app id to build the Teams app package")
    try:
        out = build_app_package(bot_id=settings.app_id, out=Path(args.out), valid_domains=[settings.public_host],
                                version=args.version)
    except (ValueError, FileNotFoundError) as exc:
        raise CliError(str(exc)) from exc
    print(f"wrote {out}")
    return 0


def cmd_ask(args) -> int:
    try:
        from dialogs.faq.knowledge.cli import ask_main  # pylint: disable=import-outside-toplevel
    except ImportError as exc:
        raise CliError("the knowledge base is not part of this build") from exc
    if args.question and not " ".join(args.question).strip():
        raise CliError("the question is empty: give a question, or none to read one a line from stdin")
    question = " ".join(args.question).strip() or None
    return ask_main(question, args.json, sys.stdin, sys.stdout)


def cmd_bench(args) -> int:
    """The FAQ benchmark: the evaluation set, each held-out set and staff-taught questions, each reported with its
    own figures against the same targets. Speed under load is `make bench` (tools/bench/side_by_side)."""
    from dialogs.faq.knowledge.bench import main as faq_bench  # pylint: disable=import-outside-toplevel

    return faq_bench(["--json"] if args.json else [])


def _parse_now(raw: str | None, timezone: str) -> datetime:
    if not raw:
        return datetime.now(ZoneInfo(timezone))
    try:
        value = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise CliError(f"--now {raw!r} is not an ISO-8601 date-time (e.g. 2026-11-25T09:00:00)") from exc
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(timezone))


def cmd_jobs_list(_args) -> int:
    from bot.jobs import JOBS  # pylint: disable=import-outside-toplevel

    for job in JOBS.values():
        when = " ".join(f"{k}={v}" for k, v in job.cron.items())
        print(f"{job.name:<18} {when:<40} {job.description}")
    return 0


def cmd_jobs_run(args) -> int:
    from bot.app import build_runtime  # pylint: disable=import-outside-toplevel
    from bot.jobs import JOBS, run_job  # pylint: disable=import-outside-toplevel

    settings = _database_settings()
    if args.name not in JOBS:
        raise CliError(f"no job named {args.name!r} (see `vsbot jobs list`)")
    now = _parse_now(args.now, settings.timezone)

    async def work():
        runtime = build_runtime(settings)
        try:
            summary = await run_job(args.name, runtime, now)
            await runtime.sender.drain()  # what the job queued goes out now (a running service would send it too)
            return summary
        finally:
            await runtime.close()

    print(f"{args.name}: {asyncio.run(work()) or 'nothing to do'}")
    return 0


def cmd_worker(_args) -> int:
    from bot.app import build_runtime  # pylint: disable=import-outside-toplevel
    from bot.scheduler import LeaderScheduler  # pylint: disable=import-outside-toplevel

    settings = _database_settings()
    _configure_logging(settings.log_level)

    async def work():
        runtime = build_runtime(settings)
        runtime.sender.start()  # the worker delivers the outbox as well as running the jobs
        scheduler = LeaderScheduler(runtime)
        scheduler.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await stop.wait()
        finally:
            await scheduler.stop()
            await runtime.close()

    asyncio.run(work())
    return 0


def _fetch(query, **kwargs):
    """Run one keyword-only repository read (`query(session=..., **kwargs)`) against the configured database."""
    async def work(session):
        return await query(session=session, **kwargs)

    return asyncio.run(_with_session(_database_settings(), work))


def cmd_faq_gaps(args) -> int:
    from storage.faq_log import gaps  # pylint: disable=import-outside-toplevel

    rows = _fetch(gaps, limit=args.limit)
    if not rows:
        print("no unanswered questions or unhelpful votes")
        return 0
    for row in rows:
        why = ("voted unhelpful" if row.helpful is False else "passed to staff" if row.forwarded_at
               else row.reason.replace("_", " "))
        suggestion = f" (answered with {row.entry_id})" if row.entry_id else ""
        print(f"{row.at:%Y-%m-%d %H:%M}  {why:<16} {row.question or '(personal details withheld)'}{suggestion}")
    return 0


def cmd_faq_check(args) -> int:
    from dialogs.faq.knowledge.loader import KnowledgeBaseError, load_knowledge_base  # pylint: disable=import-outside-toplevel

    try:
        kb = load_knowledge_base(args.file)
    except KnowledgeBaseError as exc:
        raise CliError(f"the knowledge base has {len(exc.problems)} problem(s): {_one_line(exc.problems)}") from exc
    print(f"ok: {len(kb)} entries")
    return 0


def cmd_faq_learn(args) -> int:
    from dialogs.faq.knowledge.cli import learn_main  # pylint: disable=import-outside-toplevel

    err = io.StringIO()
    if learn_main(args.entry_id, args.question, phrasing=args.phrasing, kb_path=args.kb, stdout=sys.stdout, stderr=err):
        raise CliError(err.getvalue().strip().removeprefix("error: "))
    return 0


def cmd_outbox(args) -> int:
    from storage.outbox import undelivered  # pylint: disable=import-outside-toplevel

    rows = _fetch(undelivered, limit=args.limit)
    if not rows:
        print("every proactive message has been delivered")
        return 0
    for row in rows:
        why = {"no_reference": "recipient has never opened a chat with the bot"}.get(row.status, row.last_error or "")
        print(f"{row.created_at:%Y-%m-%d %H:%M}  {row.status:<12} {row.key}  to {row.recipient_aad_id}  "
              f"attempts {row.attempts}  {why}".rstrip())
    return 0


def _with_services(settings, work):
    """Run `work(services)` with the service's own services (no knowledge base, no sender started)."""
    from bot.app import build_runtime  # pylint: disable=import-outside-toplevel

    async def run():
        runtime = build_runtime(settings, load_faq=False)
        try:
            return await work(runtime.services)
        finally:
            await runtime.close()

    return asyncio.run(run())


def cmd_surgeries_add(args) -> int:
    from cards.surgeries import when_text  # pylint: disable=import-outside-toplevel
    from dialogs.surgeries import service  # pylint: disable=import-outside-toplevel
    from dialogs.surgeries.rules import validate  # pylint: disable=import-outside-toplevel
    from storage.importers.common import person_id  # pylint: disable=import-outside-toplevel

    settings = _settings()
    values = {"title": args.title, "subject": args.subject, "audience": args.audience, "date": args.date,
              "start_time": args.start, "end_time": args.end,
              "kind": "slots" if args.slots is not None else "group" if args.places is not None else "",
              "slot_minutes": args.slots, "places": args.places, "join_url": args.join_url, "venue": args.venue,
              "cutoff_hours": args.cutoff_hours, "repeat": args.repeat, "repeat_until": args.until,
              "term_time_only": "true" if args.term_time else "false"}
    if args.slots is not None and args.places is not None:
        raise CliError("give either --slots MINUTES (bookable slots) or --places N (a group session), not both")

    async def work(services):
        plan, errors = validate(values, now=services.now(), tz=settings.timezone)
        if errors:
            raise CliError("surgery not published: " + _one_line([f"{k}: {v}" for k, v in errors.items()]))
        host = None
        if args.host:
            async with services.sessions() as session:
                host = await person_id(session, args.host)
                role = await _role(session, host)
            if not host or not service.may_publish(role):
                raise CliError(f"--host {args.host!r} is not Virtual School staff (officer, manager or admin) in the "
                               "staff directory")
        return await service.publish(services, actor_aad_id=None, plan=plan, host_aad_id=host)

    published = _with_services(settings, work)
    if not published.surgeries:
        raise CliError("no dates to publish: every date in the pattern falls in a holiday or has passed")
    for surgery in published.surgeries:
        print(f"published #{surgery.id}  {when_text(surgery.starts_at, surgery.ends_at, settings.timezone)}  "
              f"{surgery.title}")
    if published.skipped:
        print(f"left out {published.skipped} date(s) falling on bank or school holidays")
    return 0


async def _role(session, aad_id):
    from storage.directory import role_of  # pylint: disable=import-outside-toplevel

    return await role_of(session=session, aad_object_id=aad_id)


def cmd_surgeries_list(args) -> int:
    from cards.surgeries import when_text  # pylint: disable=import-outside-toplevel
    from dialogs.surgeries import service  # pylint: disable=import-outside-toplevel

    settings = _settings()
    rows = _with_services(settings, lambda services: service.listing(services, include_cancelled=args.all))
    if not rows:
        print("no upcoming surgeries are published (add one with `vsbot surgeries add`)")
        return 0
    for surgery, places in rows:
        state = "CANCELLED" if surgery.status == "cancelled" else f"{places.booked}/{places.capacity} booked"
        kind = f"{surgery.slot_minutes}-min slots" if surgery.kind == "slots" else "group"
        print(f"#{surgery.id:<5} {when_text(surgery.starts_at, surgery.ends_at, settings.timezone):<32} {kind:<13} "
              f"{state:<14} waiting {places.waitlisted:<3} {surgery.title}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vsbot", description="Virtual School Assistant")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the bot (HTTP endpoint /api/messages)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--no-scheduler", action="store_true", help="do not run scheduled jobs in this process")
    serve.set_defaults(func=cmd_serve)

    db = sub.add_parser("db", help="database").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply migrations").set_defaults(func=cmd_db_upgrade)

    demo = sub.add_parser("demo", help="demo data").add_subparsers(dest="demo_command", required=True)
    demo.add_parser("seed", help="load fictional demo data (idempotent)").set_defaults(func=cmd_demo_seed)

    manifest = sub.add_parser("manifest", help="Teams app package").add_subparsers(dest="manifest_command", required=True)
    build = manifest.add_parser("build", help="build the Teams app package zip")
    build.add_argument("--out", required=True)
    build.add_argument("--version", default="1.0.0")
    build.set_defaults(func=cmd_manifest_build)

    ask = sub.add_parser("ask", help='ask "does the Virtual School do X?" (no question: one a line on stdin)')
    ask.add_argument("question", nargs="*")
    ask.add_argument("--json", action="store_true")
    ask.set_defaults(func=cmd_ask)

    faq = sub.add_parser("faq", help="the FAQ knowledge base").add_subparsers(dest="faq_command", required=True)
    faq_gaps = faq.add_parser("gaps", help="unanswered questions and unhelpful votes, newest first")
    faq_gaps.add_argument("--limit", type=int, default=200)
    faq_gaps.set_defaults(func=cmd_faq_gaps)
    faq_check = faq.add_parser("check", help="validate a knowledge base file (default: the bot's own)")
    faq_check.add_argument("file", nargs="?")
    faq_check.set_defaults(func=cmd_faq_check)
    faq_learn = faq.add_parser("learn", help="add a user's wording (e.g. from `faq gaps`) to an entry, show the gain")
    faq_learn.add_argument("entry_id", help="the entry that answers the question (an id in kb.yaml)")
    faq_learn.add_argument("question", help="the question as the user wrote it")
    faq_learn.add_argument("--phrasing", help="add this tidier wording instead of the question itself")
    faq_learn.add_argument("--kb", help="knowledge base file (default: the bot's own)")
    faq_learn.set_defaults(func=cmd_faq_learn)

    out = sub.add_parser("outbox", help="proactive messages not delivered (failed, no chat yet, queued)")
    out.add_argument("--limit", type=int, default=200)
    out.set_defaults(func=cmd_outbox)

    from storage.importers.common import COLUMN_HELP  # pylint: disable=import-outside-toplevel

    imp = sub.add_parser(
        "import", help="import a CSV file", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Import a CSV file (UTF-8, a header row, dates YYYY-MM-DD). Every row is checked; a file with "
                    "any bad row changes nothing unless --skip-bad is given. Importing the same file twice changes "
                    "nothing. Example files: docs/examples/.",
        epilog="columns:\n" + "\n".join(f"  {kind:<11} {columns}" for kind, columns in COLUMN_HELP.items()))
    imp.add_argument("kind", choices=["staff", "children", "attendance", "peps", "localities"])
    imp.add_argument("file")
    imp.add_argument("--dry-run", action="store_true", help="validate and report without changing anything")
    imp.add_argument("--skip-bad", action="store_true", help="import the good rows and list the bad ones")
    imp.set_defaults(func=cmd_import)

    jobs = sub.add_parser("jobs", help="scheduled jobs").add_subparsers(dest="jobs_command", required=True)
    jobs.add_parser("list", help="list the scheduled jobs").set_defaults(func=cmd_jobs_list)
    run = jobs.add_parser("run", help="run one job now")
    run.add_argument("name")
    run.add_argument("--now", help="the clock to run it with (ISO-8601; default: now)")
    run.set_defaults(func=cmd_jobs_run)

    surgeries = sub.add_parser("surgeries", help="advice surgeries").add_subparsers(dest="surgeries_command",
                                                                                  required=True)
    add = surgeries.add_parser("add", help="publish a surgery (or a repeating one)")
    add.add_argument("--title", required=True)
    add.add_argument("--date", required=True, help="YYYY-MM-DD (the first date of a repeating surgery)")
    add.add_argument("--start", required=True, help="HH:MM, UK time")
    add.add_argument("--end", required=True, help="HH:MM, UK time")
    add.add_argument("--slots", type=int, metavar="MINUTES", help="bookable slots of this many minutes, one place each")
    add.add_argument("--places", type=int, metavar="N", help="a group session with N places")
    add.add_argument("--subject", default="general",
                     help="attendance, exclusions, send, peps, cwsw, transition or general")
    add.add_argument("--audience", default="all", help="who may book: all, or roles such as dsl,send,social_worker")
    add.add_argument("--join-url", default="", help="the Teams meeting link (https://...)")
    add.add_argument("--venue", default="")
    add.add_argument("--cutoff-hours", default="2", help="booking closes this many hours before the start")
    add.add_argument("--repeat", default="none", help="none, weekly, fortnightly, three_weekly or four_weekly")
    add.add_argument("--until", default="", help="the last date of a repeating surgery (YYYY-MM-DD)")
    add.add_argument("--term-time", action="store_true", help="repeat in term time only")
    add.add_argument("--host", help="who hosts it (AAD object id or e-mail of Virtual School staff); gets the "
                                    "attendee list on the day (default: the managers)")
    add.set_defaults(func=cmd_surgeries_add)
    listing = surgeries.add_parser("list", help="the upcoming surgeries, with places booked")
    listing.add_argument("--all", action="store_true", help="include cancelled ones")
    listing.set_defaults(func=cmd_surgeries_list)

    sub.add_parser("worker", help="run the scheduled jobs only (pair with `serve --no-scheduler`)").set_defaults(
        func=cmd_worker)

    bench = sub.add_parser("bench", help="run the benchmarks")
    bench.add_argument("--json", action="store_true")
    bench.set_defaults(func=cmd_bench)
    return parser


def _database_problem(exc: Exception) -> str | None:
    """One line for the database failures an operator can fix, or None for anything else."""
    from sqlalchemy import exc as sa_exc  # pylint: disable=import-outside-toplevel

    text = str(getattr(exc, "orig", None) or exc).lower()
    if isinstance(exc, (sa_exc.NoSuchModuleError, sa_exc.ArgumentError)):
        return "DATABASE_URL is not a usable SQLAlchemy URL (e.g. postgresql+asyncpg://user@host/db)"
    try:
        where = _database_name(_settings().effective_database_url)
    except CliError:
        where = "the database"
    if isinstance(exc, sa_exc.DBAPIError) and ("no such table" in text or "does not exist" in text and "relation" in text):
        return f"{where} has no tables yet: run `vsbot db upgrade`"
    if "database is locked" in text:
        return f"{where} is locked by another process (a write that has not finished): try again"
    if "does not exist" in text and "database" in text:
        return f"{where} does not exist: create it, then run `vsbot db upgrade`"
    if isinstance(exc, (OSError, sa_exc.OperationalError, sa_exc.InterfaceError)):
        return f"cannot reach {where} ({type(exc).__name__})"
    return None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CliError as exc:
        print(f"vsbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - database trouble gets one line; anything else is a bug: re-raise
        problem = _database_problem(exc)
        if problem is None:
            raise
        print(f"vsbot: {problem}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
