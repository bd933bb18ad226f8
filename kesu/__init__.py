"""Kesu 客诉 — complaint handling.

Kept import-free so that ``kesu.core`` loads without Django or Celery; the Celery app is
loaded by ``kesu.complaints`` when Django starts (see its AppConfig)."""
