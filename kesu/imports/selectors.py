"""The reads of import jobs: a person sees the jobs they started (superusers see all)."""

from __future__ import annotations

from django.db.models import QuerySet

from kesu.accounts.models import User
from kesu.imports.models import ImportJob, ImportRow


def jobs_visible(*, user: User) -> QuerySet[ImportJob]:
    jobs = ImportJob.objects.select_related("started_by")
    return jobs if user.is_superuser else jobs.filter(started_by=user)


def recent_jobs(*, user: User, limit: int = 10) -> list[ImportJob]:
    return list(jobs_visible(user=user).order_by("-created_at", "-id")[:limit])


def job_get(*, user: User, pk: int) -> ImportJob | None:
    return jobs_visible(user=user).filter(pk=pk).first()


def job_rows(*, job: ImportJob, outcome: str = "") -> QuerySet[ImportRow]:
    rows = job.rows.order_by("number")
    return rows.filter(outcome=outcome) if outcome else rows
