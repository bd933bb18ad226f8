from __future__ import annotations

from celery import shared_task

from kesu.handling.sweep import sweep


@shared_task(acks_late=True)
def sweep_sla() -> dict:
    """The periodic SLA sweep (Celery beat, every minute by default). Safe to overlap."""
    return sweep().as_dict()
