"""The defaults a fresh installation starts with — the review policy, the root-cause tree and the
journey map's touchpoints (kesu.core.reviews) — and the guard that keeps the review trail
append-only against raw SQL too (as the complaints' audit trail)."""

from django.db import migrations

from kesu.core.reviews.causes import walk
from kesu.core.reviews.due import DEFAULT_RULES
from kesu.core.reviews.journey import DEFAULT_TOUCHPOINTS

SQLITE_GUARD = [
    """CREATE TRIGGER reviews_reviewevent_no_update BEFORE UPDATE ON reviews_reviewevent
       BEGIN SELECT RAISE(ABORT, 'the review trail is append-only'); END;""",
]
POSTGRES_GUARD = [
    """CREATE OR REPLACE FUNCTION kesu_reviews_trail_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the review trail is append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER reviews_reviewevent_append_only BEFORE UPDATE OR DELETE ON reviews_reviewevent
       FOR EACH ROW EXECUTE FUNCTION kesu_reviews_trail_append_only();""",
]


def seed(apps, schema_editor):
    ReviewPolicy = apps.get_model("reviews", "ReviewPolicy")
    RootCause = apps.get_model("reviews", "RootCause")
    Touchpoint = apps.get_model("reviews", "Touchpoint")
    ReviewPolicy.objects.get_or_create(pk=1, defaults={"triggers": sorted(DEFAULT_RULES.triggers)})
    by_code = {}
    for position, (node, parent) in enumerate(walk()):
        by_code[node.code], _created = RootCause.objects.get_or_create(
            code=node.code,
            defaults={
                "name": node.name_zh,
                "name_en": node.name_en,
                "parent": by_code.get(parent),
                "position": position,
            },
        )
    for position, rule in enumerate(DEFAULT_TOUCHPOINTS):
        Touchpoint.objects.get_or_create(
            code=rule.code,
            defaults={
                "name": rule.name_zh,
                "name_en": rule.name_en,
                "phase": rule.phase.value,
                "keywords": list(rule.keywords),
                "signals": [s.value for s in rule.signals],
                "position": position,
            },
        )


def guard(apps, schema_editor):
    statements = {"sqlite": SQLITE_GUARD, "postgresql": POSTGRES_GUARD}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def unguard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS reviews_reviewevent_no_update;")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS reviews_reviewevent_append_only ON reviews_reviewevent;")
        schema_editor.execute("DROP FUNCTION IF EXISTS kesu_reviews_trail_append_only();")


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_initial")]
    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(guard, unguard),
    ]
