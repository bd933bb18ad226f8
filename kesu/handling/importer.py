"""Bulk intake from CSV or XLSX, in the background (SPEC §2).

Uploading only stores the file and creates an :class:`~kesu.imports.models.ImportJob` (after the
checks that cost nothing: size, kind, an XLSX's unpacked size); the request returns at once and a run
in the background does the rest — a Celery task with a broker, the minute loop of ``kesu serve`` on the
embedded default (the same path as the semantic tier), or ``kesu import`` in the foreground.

What a run promises:

- **The file first, all or nothing.** The whole file is read once within the limits
  (:mod:`kesu.core.imports`: rows, columns, cells, characters per cell) and its header checked before
  any row is imported; a file refused there fails its job with the reason and writes nothing.
- **Then row by row, each row once.** Every row goes through the same validation as the API and the same
  act, :func:`~kesu.handling.intake.take_in`, each in its own transaction together with its line of
  report (:class:`~kesu.imports.models.ImportRow`, unique per job and row number). A bad row is rejected
  with its reason and the good rows are kept; a run that is killed half-way is resumed (by the catch-up,
  or ``kesu import``) after the last row it recorded, so no complaint is made twice and none is lost.
  A row whose ``external_ref`` was imported before, by any job, is skipped.

Headers may be English codes or the Chinese column names a complaint team's spreadsheet uses; CSV may be
UTF-8 or GB18030 (Excel's Chinese export).
"""

from __future__ import annotations

import logging
import time
from typing import IO, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kesu.accounts.models import Team, User
from kesu.complaints.errors import ComplaintError, ErrorCode, PermissionRefused
from kesu.complaints.intake import ComplaintCreateIn, create_kwargs
from kesu.complaints.models import Channel, Complaint, DemandType, ReceivingUnit, Source
from kesu.core.imports import Limits, TableRefused, check_archive, check_size, kind_of, read_rows
from kesu.handling.intake import take_in
from kesu.imports.models import ImportJob, JobKind, RowOutcome
from kesu.imports.services import (
    ClaimLost,
    done_numbers,
    job_claim,
    job_create,
    job_fail,
    job_finish,
    job_note_failure,
    job_release,
    job_set_total,
    pending_job_ids,
    report_dict,
    row_record,
    row_record_once,
)
from kesu.qa import services as qa_services

log = logging.getLogger(__name__)

HEADER_ALIASES: dict[str, str] = {
    "customer_id": "customer.external_id",
    "客户编号": "customer.external_id",
    "customer_name": "customer.name",
    "客户姓名": "customer.name",
    "姓名": "customer.name",
    "phone": "customer.phone",
    "电话": "customer.phone",
    "联系电话": "customer.phone",
    "email": "customer.email",
    "邮箱": "customer.email",
    "tier": "customer.tier",
    "客户等级": "customer.tier",
    "channel": "channel",
    "渠道": "channel",
    "source": "source",
    "来源": "source",
    "receiving_unit": "receiving_unit",
    "受理单位": "receiving_unit",
    "text": "text",
    "投诉内容": "text",
    "product": "product",
    "产品": "product",
    "order_number": "order_number",
    "订单号": "order_number",
    "demand_type": "demand_type",
    "诉求": "demand_type",
    "demand_amount": "demand_amount",
    "金额": "demand_amount",
    "received_at": "received_at",
    "受理时间": "received_at",
    "external_ref": "external_ref",
    "外部编号": "external_ref",
    "team": "team",
    "班组": "team",
    "priority": "priority",
    "优先级": "priority",
}
REQUIRED = ("customer.name", "text", "channel")

# Chinese values a spreadsheet may hold, mapped to codes.
VALUE_ALIASES: dict[str, dict[str, str]] = {
    "channel": {
        "电话": Channel.PHONE,
        "在线": Channel.WEB,
        "网站": Channel.WEB,
        "在线客服": Channel.CHAT,
        "邮件": Channel.EMAIL,
        "信函": Channel.LETTER,
        "上门": Channel.WALK_IN,
        "上门来访": Channel.WALK_IN,
        "社交媒体": Channel.SOCIAL,
        "升级转办": Channel.REFERRAL,
    },
    "source": {
        "客户": Source.CUSTOMER,
        "工信部": Source.REGULATOR_MIIT,
        "省通信管理局": Source.REGULATOR_PROVINCE_COMM,
        "金融监管": Source.REGULATOR_FINANCE,
        "12315": Source.REGULATOR_MARKET,
        "市场监管": Source.REGULATOR_MARKET,
        "消费者协会": Source.CONSUMER_ASSOCIATION,
        "消协": Source.CONSUMER_ASSOCIATION,
        "集团公司": Source.HEADQUARTERS,
    },
    "receiving_unit": {
        "省公司": ReceivingUnit.PROVINCIAL,
        "地市分公司": ReceivingUnit.CITY,
        "分公司": ReceivingUnit.CITY,
        "营业厅": ReceivingUnit.COUNTER,
        "营业厅柜台": ReceivingUnit.COUNTER,
    },
    "customer.tier": {"VIP": "vip", "高端": "high", "高价值": "high", "普通": "standard", "标准": "standard"},
    "demand_type": {
        "退款": DemandType.REFUND,
        "换货": DemandType.REPLACEMENT,
        "维修": DemandType.REPAIR,
        "赔偿": DemandType.COMPENSATION,
        "道歉": DemandType.APOLOGY,
        "解释": DemandType.EXPLANATION,
        "处罚责任人": DemandType.PUNISH_STAFF,
        "其他": DemandType.OTHER,
    },
    "priority": {"低": "1", "普通": "2", "高": "3", "紧急": "4"},
}


class ImportFileError(ComplaintError):
    """The file as a whole cannot be read; nothing was imported."""


def import_limits() -> Limits:
    return Limits(
        max_bytes=settings.KESU_MAX_IMPORT_BYTES,
        max_rows=settings.KESU_MAX_IMPORT_ROWS,
        max_cells=settings.KESU_MAX_IMPORT_CELLS,
        max_cell_chars=settings.KESU_MAX_IMPORT_CELL_CHARS,
        max_unpacked_bytes=settings.KESU_MAX_IMPORT_UNPACKED_BYTES,
    )


def _message(error: TableRefused) -> str:
    return _(error.message) % error.params if error.params else _(error.message)


def _header(row: list[Any]) -> list[str | None]:
    columns = [
        HEADER_ALIASES.get(str(cell).strip().lower()) or HEADER_ALIASES.get(str(cell).strip()) for cell in row
    ]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise ImportFileError(
            ErrorCode.MISSING_COLUMNS,
            _("The header row lacks required columns: %(columns)s.") % {"columns": ", ".join(missing)},
        )
    return columns


def _payload(columns: list[str | None], row: list[Any]) -> dict[str, Any]:
    payload: dict[str, Any] = {"customer": {}}
    for column, cell in zip(columns, row, strict=False):
        if column is None:
            continue
        value = cell.isoformat() if hasattr(cell, "isoformat") else str(cell).strip()
        value = VALUE_ALIASES.get(column, {}).get(value, value)
        if column.startswith("customer."):
            payload["customer"][column.split(".", 1)[1]] = value
        elif value != "":
            payload[column] = value
    return payload


def _flatten(errors: Any, prefix: str = "") -> list[str]:
    if isinstance(errors, dict):
        out: list[str] = []
        for key, value in errors.items():
            out.extend(_flatten(value, f"{prefix}{key}."))
        return out
    if isinstance(errors, list):
        return [f"{prefix.rstrip('.')}: {message}" if prefix else str(message) for message in errors]
    return [f"{prefix.rstrip('.')}: {errors}"]


# --- starting a job ---------------------------------------------------------------------------------


def check_upload(*, name: str, stream: IO[bytes], size: int) -> None:
    """The checks that cost nothing, in the request: the file's kind and size, and an XLSX's unpacked
    size (read from the zip's directory, before anything is unpacked)."""
    limits = import_limits()
    try:
        kind = kind_of(name)
        check_size(size, limits)
        if kind == "xlsx":
            check_archive(stream, limits)
    except TableRefused as error:
        raise ImportFileError(error.code, _message(error)) from None


def start_import(
    *, actor: User, name: str, stream: IO[bytes], size: int, language: str | None = None, foreground: bool = False
) -> ImportJob:
    """Store the upload and create its job; the import runs in the background (after commit), or, with
    ``foreground``, by the caller, who holds the job's claim from its creation (:func:`import_file`)."""
    if not actor.has_perm("complaints.import_complaints"):
        raise PermissionRefused()
    check_upload(name=name, stream=stream, size=size)
    with transaction.atomic():
        return job_create(
            actor=actor,
            name=name,
            content=stream,
            size=size,
            language=language or translation.get_language() or "zh-hans",
            foreground=foreground,
        )


# --- running a job ----------------------------------------------------------------------------------

#: Rows taken in per commit (each in its own savepoint). Fewer commits make a run several times faster
#: on PostgreSQL; the progress bar moves a batch at a time.
BATCH_ROWS = 20

#: A job whose runs broke (an error other than the file's, or a run that died and was taken over) this
#: many times is given up (failed, with the rows it did kept); before that the catch-up tries again.
MAX_ATTEMPTS = 3


def run_import(job_id: int, *, budget_seconds: float | None = None) -> ImportJob | None:
    """Run (or resume) one job; None when another run has it or it is finished. With a budget the run
    gives the job back to the queue when its time is up (the embedded loop shares its time this way)."""
    job = job_claim(job_id)
    if job is None:
        return None
    return _run_claimed(job, budget_seconds)


def _run_claimed(job: ImportJob, budget_seconds: float | None) -> ImportJob:
    """Run a job this run has claimed, to its end or its budget; the job as it then stands."""
    with translation.override(job.language):
        message = _("The import stopped on an unexpected error; the rows reported were imported.")
        if job.attempts >= MAX_ATTEMPTS:  # its runs keep dying (killed, out of memory): give up
            job_fail(job, code="internal", message=message)
            job.refresh_from_db()
            return job
        try:
            _run(job, budget_seconds)
        except ClaimLost:
            log.warning("import job %s was taken over by another run", job.pk)
        except Exception:
            log.exception("import job %s stopped on an error", job.pk)
            if job_note_failure(job) >= MAX_ATTEMPTS:
                job_fail(job, code="internal", message=message)
            else:
                job_release(job)
    job.refresh_from_db()
    return job


def _fail(job: ImportJob, code: str, message: str) -> None:
    with transaction.atomic():
        job_fail(job, code=code, message=message)


def _run(job: ImportJob, budget_seconds: float | None) -> None:
    limits = import_limits()
    deadline = None if budget_seconds is None else time.monotonic() + budget_seconds
    if not job.file:
        return _fail(job, "file_missing", _("The uploaded file is no longer there; upload it again."))
    if job.kind == JobKind.TRANSCRIPTS:
        return _run_transcripts(job, deadline)
    if job.rows_total is None:  # the whole file first: nothing is written for a file refused here
        try:
            with job.file.open("rb") as stream:
                rows = read_rows(job.filename, stream, limits)
                first = next(rows, None)
                if first is None:
                    raise ImportFileError(ErrorCode.EMPTY_FILE, _("The file is empty."))
                _header(first[1])
                total = sum(1 for _row in rows)
        except TableRefused as error:
            return _fail(job, error.code, _message(error))
        except ComplaintError as error:
            return _fail(job, error.code, error.message)
        job_set_total(job, total)
    done = done_numbers(job)
    teams = {team.name: team.pk for team in Team.objects.all()}
    with job.file.open("rb") as stream:
        rows = read_rows(job.filename, stream, limits)
        _number, header = next(rows)
        columns = _header(header)
        pending = ((number, row) for number, row in rows if number not in done)
        finished = False
        while not finished:
            # One commit for a batch of rows, each row a savepoint of its own: a bad row is undone alone,
            # a killed run loses at most the batch it was in (and resumes at its first row).
            with transaction.atomic():
                finished = True
                for count, (number, row) in enumerate(pending, start=1):
                    _import_row(job, columns, teams, number, row)
                    if count >= BATCH_ROWS or (deadline is not None and time.monotonic() > deadline):
                        finished = False
                        break
            if not finished and deadline is not None and time.monotonic() > deadline:
                return job_release(job)
    with transaction.atomic():
        job_finish(job)


def _record(job: ImportJob, number: int, outcome: RowOutcome, **fields: Any) -> None:
    row_record_once(job, number=number, outcome=outcome, **fields)


def _import_row(job: ImportJob, columns: list[str | None], teams: dict[str, int], number: int, row: list[Any]) -> None:
    payload = _payload(columns, row)
    if "team" in payload:
        team_name = payload["team"]
        payload["team"] = teams.get(team_name, -1)
        if payload["team"] == -1:
            return _record(job, number, RowOutcome.REJECTED, messages=[_("Unknown team: %(team)s.") % {"team": team_name}])
    ref = payload.get("external_ref")
    if ref and (earlier := Complaint.objects.filter(external_ref=ref).values_list("reference", flat=True).first()):
        return _record(job, number, RowOutcome.SKIPPED, reference=earlier)
    serializer = ComplaintCreateIn(data=payload)
    if not serializer.is_valid():
        return _record(job, number, RowOutcome.REJECTED, messages=_flatten(serializer.errors))
    try:
        with transaction.atomic():
            complaint = take_in(actor=job.started_by, **create_kwargs(serializer.validated_data))
            row_record(job, number=number, outcome=RowOutcome.CREATED, reference=complaint.reference,
                       complaint_id=complaint.pk)
    except ComplaintError as error:
        return _record(job, number, RowOutcome.REJECTED, messages=[error.message])
    except IntegrityError:
        # the same external_ref taken in meanwhile, or this row recorded by a run thought dead:
        # either way nothing of this attempt was kept
        earlier = Complaint.objects.filter(external_ref=ref).values_list("reference", flat=True).first() if ref else ""
        return _record(job, number, RowOutcome.SKIPPED, reference=earlier or "")
    return None


def _run_transcripts(job: ImportJob, deadline: float | None) -> None:
    """Call and chat transcripts (quality inspection's import): the same job, claim and resume."""
    try:
        finished = qa_services.transcripts_import_run(job, deadline=deadline)
    except ComplaintError as error:
        return _fail(job, error.code, error.message)
    if not finished:
        return job_release(job)
    with transaction.atomic():
        job_finish(job)
    return None


def run_pending_imports(*, budget_seconds: float | None = None, limit: int = 5) -> int:
    """Run what waits: queued jobs, and running ones whose run died (the catch-up of the minute loop and
    of Celery beat). Returns how many jobs it advanced."""
    advanced = 0
    for job_id in pending_job_ids(limit=limit):
        if run_import(job_id, budget_seconds=budget_seconds) is not None:
            advanced += 1
    return advanced


def import_file(*, actor: User, name: str, stream: IO[bytes], size: int) -> ImportJob:
    """Import in the foreground (``kesu import``): the same job, run here to its end."""
    job = start_import(actor=actor, name=name, stream=stream, size=size, foreground=True)
    return _run_claimed(job, None)  # claimed at its creation: the background loop never races this run


def job_report(job: ImportJob) -> dict[str, Any]:
    return report_dict(job, job.rows.order_by("number"))
