"""The Celery app. Without CELERY_BROKER_URL tasks run eagerly in-process (the embedded demo);
with it (redis://127.0.0.1:6379/0 in production) `celery -A kesu worker` runs them."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kesu.settings")

app = Celery("kesu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
