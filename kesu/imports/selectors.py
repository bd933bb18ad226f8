"""The reads of import jobs: a person sees the jobs they started (superusers see all)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from kesu.accounts.models import User
from kesu.complaints.selectors import complaints_visible_to
from kesu.imports.models import ImportJob, ImportRow, JobKind


def may_import(user: User, kind: str) -> bool:
    """Whether the user may start (and so read) an import of this kind: the existing import rights."""
    permission = "qa.import_transcripts" if kind == JobKind.TRANSCRIPTS else "complaints.import_complaints"
    return user.is_active and user.has_perm(permission)


def jobs_visible(*, user: User) -> QuerySet[ImportJob]:
    jobs = ImportJob.objects.select_related("started_by")
    return jobs if user.is_superuser else jobs.filter(started_by=user)


def recent_jobs(*, user: User, kind: str = JobKind.COMPLAINTS, limit: int = 10) -> list[ImportJob]:
    return list(jobs_visible(user=user).filter(kind=kind).order_by("-created_at", "-id")[:limit])


def job_get(*, user: User, pk: int) -> ImportJob | None:
    return jobs_visible(user=user).filter(pk=pk).first()


def job_rows(*, job: ImportJob, outcome: str = "") -> QuerySet[ImportRow]:
    rows = job.rows.order_by("number")
    return rows.filter(outcome=outcome) if outcome else rows


def references_visible(*, user: User, rows: Iterable[ImportRow]) -> set[str]:
    """Of the complaints these report rows name, the references of those the user may open: a row
    skipped as already imported may name another team's complaint, which the report does not link."""
    references = {row.reference for row in rows if row.reference}
    if not references:
        return set()
    return set(complaints_visible_to(user).filter(reference__in=references).values_list("reference", flat=True))
