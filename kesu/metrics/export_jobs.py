"""XLSX exports of long complaint lists, in the background (README "Bulk import and export").

CSV exports stream however long the list; openpyxl writes XLSX at about 2,500 rows a second, so a list
longer than :data:`~kesu.metrics.exports.XLSX_IN_REQUEST_ROWS` is written by a job instead of the
request: the page moves to the job, whose progress bar fills as rows are written, then offers the file
to download. The job keeps the list's query, not the rows, and reads it again as the person who asked
(their visibility and scope apply when it runs). A Celery task runs it with a broker; the minute loop of
``kesu serve`` on the embedded default. A run writes the whole file anew, so running one twice is safe.
"""

from __future__ import annotations

import logging
import tempfile
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.complaints import selectors as complaint_selectors
from kesu.complaints.errors import ComplaintError, ErrorCode
from kesu.complaints.filters import MAX_ID, parse_filters
from kesu.complaints.models import Complaint
from kesu.complaints.permissions import visibility_filter
from kesu.imports import claims
from kesu.imports.claims import ClaimLost
from kesu.imports.models import JobStatus
from kesu.metrics import exports, permissions, selectors
from kesu.metrics.models import KEEP_FILES, ExportJob
from kesu.metrics.periods import Period, parse_period

log = logging.getLogger(__name__)


def team_param(params: dict[str, str]) -> int | None:
    value = params.get("team", "")
    if not value:
        return None
    if not value.isdigit() or int(value) > MAX_ID:
        raise ComplaintError(ErrorCode.INVALID_TEAM, _("Unknown team."))
    return int(value)


def figure_list(*, user: User, params: dict[str, str]) -> tuple[Period, permissions.Scope, str, QuerySet[Complaint]]:
    """The complaints behind one figure of the dashboard, as ``user`` may see them."""
    period = parse_period(params)
    scope = permissions.dashboard_scope(user=user, team_id=team_param(params), tier_code=params.get("tier", ""))
    figure = params.get("figure", "complaints")
    if figure not in selectors.FIGURES:
        raise ComplaintError(ErrorCode.INVALID, _("Unknown figure."))
    queryset = selectors.figure_complaints(
        figure=figure, part=params.get("part", "den"), value=params.get("value", ""), period=period, scope=scope
    )
    limit = visibility_filter(user)
    if limit is not None:
        queryset = queryset.filter(limit)
    return period, scope, figure, queryset.order_by("-received_at", "-id")


def queue_list(*, user: User, params: dict[str, str]) -> QuerySet[Complaint]:
    """A complaint list of the queue with its own filters, as ``user`` may see it."""
    filters = parse_filters({k: v for k, v in params.items() if v and k not in ("page", "format")})
    if filters is None:
        raise ComplaintError(ErrorCode.INVALID, _("Some filters were not valid."))
    return complaint_selectors.complaint_list(user=user, filters=filters)


def _list(job: ExportJob) -> QuerySet[Complaint]:
    if job.source == ExportJob.Source.FIGURE:
        return figure_list(user=job.started_by, params=job.params)[3]
    return queue_list(user=job.started_by, params=job.params)


def export_start(*, actor: User, source: str, params: dict[str, str], filename: str) -> ExportJob:
    with transaction.atomic():
        job = ExportJob.objects.create(
            started_by=actor,
            source=source,
            params=params,
            filename=f"{filename}.xlsx",
            language=translation.get_language() or "zh-hans",
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    if not getattr(settings, "CELERY_BROKER_URL", ""):
        return  # the minute loop of ``kesu serve`` runs it
    from kesu.metrics.tasks import run_export_job

    try:
        run_export_job.delay(job_id)
    except Exception:  # the broker is down: the catch-up runs it later
        log.warning("could not enqueue export job %s; the catch-up will", job_id)


def _claim(job_id: int) -> ExportJob | None:
    """Take a queued job, or one whose run died, for this run (a run writes the whole file anew)."""
    fresh = {"rows_done": 0}
    if claims.claim(ExportJob.objects.filter(pk=job_id), started=fresh, taken_over=fresh) is None:
        return None
    return ExportJob.objects.select_related("started_by").get(pk=job_id)


def stored_name(job: ExportJob) -> str:
    """The name the run stores its workbook under: the download's name with the run's claim token
    in it. Storages that overwrite a name already taken (S3's, by default) would otherwise let two
    exports of the same list (or two runs of one job) write over each other, and a run that lost its
    claim would delete the file of the run that took over. The person downloads ``job.filename``."""
    stem, dot, extension = job.filename.rpartition(".")
    return f"{stem}-{job.claim}{dot}{extension}" if dot else f"{job.filename}-{job.claim}"


def export_run(job_id: int) -> ExportJob | None:
    """Write the job's workbook and store it; None when another run has it or it is finished. Every
    write checks the run's token: a run thought dead whose job another run took over stops, and its
    file (if it got that far) is deleted, so it neither overwrites the other run's outcome nor leaves
    a file behind."""
    job = _claim(job_id)
    if job is None:
        return None
    mine = claims.owned(ExportJob.objects.filter(pk=job.pk), job.claim)

    def update(**fields: Any) -> None:
        if not mine.update(**fields):
            raise ClaimLost()

    with translation.override(job.language):
        try:
            queryset = _list(job)
            update(rows_total=min(queryset.count(), exports.MAX_XLSX_ROWS))

            def progress(rows: int) -> None:
                update(rows_done=rows, heartbeat_at=timezone.now())

            with tempfile.TemporaryFile() as spool:
                exports.write_xlsx(spool, [exports.complaint_sheet(queryset)], progress=progress)
                spool.seek(0)
                # FieldFile.save keeps the name storage.save returns (the storage may alter it)
                job.file.save(stored_name(job), File(spool), save=False)
            update(status=JobStatus.DONE, file=job.file.name, rows_done=F("rows_total"), finished_at=timezone.now(), claim="")
        except ClaimLost:
            log.warning("export job %s was taken over by another run", job.pk)
            if job.file:
                job.file.storage.delete(job.file.name)
        except ComplaintError as error:
            mine.update(status=JobStatus.FAILED, error=error.message, finished_at=timezone.now(), claim="")
        except Exception:  # disk full, storage down…: the job ends failed instead of being retaken for ever
            log.exception("export job %s failed", job.pk)
            mine.update(
                status=JobStatus.FAILED,
                error=_("The export could not be written. Please try again or ask an administrator."),
                finished_at=timezone.now(),
                claim="",
            )
    job.refresh_from_db()
    return job


def discard_old_files() -> int:
    """Delete the files of the exports finished more than :data:`KEEP_FILES` ago, and forget the
    query of every such export (failed ones too). Returns how many files it deleted."""
    old = ExportJob.objects.filter(status__in=(JobStatus.DONE, JobStatus.FAILED), finished_at__lt=timezone.now() - KEEP_FILES)
    count = 0
    for job in old.exclude(file=""):
        job.file.storage.delete(job.file.name)
        ExportJob.objects.filter(pk=job.pk).update(file="", params={})
        count += 1
    old.exclude(params={}).update(params={})
    return count


def run_pending_exports(*, limit: int = 5) -> int:
    """Run what waits: queued exports, and running ones whose run died (the loop's and beat's catch-up);
    and delete the files written more than :data:`KEEP_FILES` ago."""
    discard_old_files()
    ids = list(claims.waiting(ExportJob.objects).order_by("created_at", "id").values_list("pk", flat=True)[:limit])
    return sum(1 for job_id in ids if export_run(job_id) is not None)


def export_get(*, user: User, pk: int) -> ExportJob | None:
    return ExportJob.objects.filter(pk=pk, started_by=user).first()
