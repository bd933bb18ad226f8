"""The periodic entry for Celery beat. Settings can include it as it is:

    from kesu.notifications.schedule import BEAT_SCHEDULE as NOTIFICATIONS_BEAT
    CELERY_BEAT_SCHEDULE = {**NOTIFICATIONS_BEAT}

Every 30 s is the longest a message waits when the kick after commit is lost (a broker outage);
``expires`` drops runs that queued up while no worker was there.
"""

BEAT_SCHEDULE = {
    "notifications-deliver-outbox": {
        "task": "kesu.notifications.tasks.deliver_outbox",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
}
