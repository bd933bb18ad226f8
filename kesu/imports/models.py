"""Bulk import jobs 批量导入任务 (SPEC §2): the file someone uploaded, how far its import has come,
and one row of report per row of the file (per transcript, for call and chat transcripts).

A job is run in the background (:mod:`kesu.handling.importer`); the page and the API only create it
and read it. Each :class:`ImportRow` is written in the same transaction as the complaint it made, and
(job, row number) is unique, so a job that is stopped half-way and run again carries on after the last
row it finished: no row is ever imported twice, none is lost.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import Storage
from django.db import models
from django.utils.translation import gettext_lazy as _

from kesu.storage import StorageAlias

_IMPORTS_STORAGE = StorageAlias("imports")


def import_storage() -> Storage:
    """``STORAGES["imports"]``: the uploaded files, kept until their job is finished (and the
    written exports). Looked up on each use, not once when the model is loaded, so a test's
    ``STORAGES`` (a temporary folder) is where the files go."""
    return _IMPORTS_STORAGE


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


FINISHED = frozenset({JobStatus.DONE, JobStatus.FAILED})


class JobKind(models.TextChoices):
    COMPLAINTS = "complaints", _("Complaints")
    TRANSCRIPTS = "transcripts", _("Call and chat transcripts")


class RowOutcome(models.TextChoices):
    CREATED = "created", _("Created")
    SKIPPED = "skipped", _("Already imported")
    REJECTED = "rejected", _("Rejected")


class ImportJob(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=JobKind.choices, default=JobKind.COMPLAINTS)
    #: What the kind's run needs besides the file (transcripts: the complaint to attach to, whether to score).
    options = models.JSONField(_("options"), default=dict, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.PROTECT, related_name="+"
    )
    #: The upload, under a name of ours; deleted when the job is finished (the report stays).
    file = models.FileField(_("file"), storage=import_storage, upload_to="imports/%Y/%m/", max_length=200, blank=True)
    filename = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    #: The language of the person who started it: the report's messages are written in it.
    language = models.CharField(_("language"), max_length=16, default="zh-hans")
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    skipped = models.PositiveIntegerField(_("already imported"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    error_code = models.CharField(_("error code"), max_length=40, blank=True)
    error = models.TextField(_("error"), blank=True)
    #: Who runs it now: a run claims the job with a fresh token, and every row it records checks it.
    claim = models.CharField(_("run token"), max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["started_by", "-created_at"], name="import_job_by_user"),
            models.Index(fields=["status", "heartbeat_at"], name="import_job_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 100 // self.rows_total)


class ImportRow(models.Model):
    job = models.ForeignKey(ImportJob, verbose_name=_("import job"), on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField(_("row"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=RowOutcome.choices)
    complaint = models.ForeignKey(
        "complaints.Complaint", verbose_name=_("complaint"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    #: The complaint it made, or the one imported before (skipped); a transcript's own reference.
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    messages = models.JSONField(_("messages"), default=list, blank=True)

    class Meta:
        verbose_name = _("import row")
        verbose_name_plural = _("import rows")
        ordering = ["job", "number"]
        constraints = [models.UniqueConstraint(fields=["job", "number"], name="import_row_once")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.number} {self.outcome}"
