"""The material's four role-play scenarios (kesu/core/practice/data/scenarios.json) and the four
criteria's default weights (25 each); and the guard that keeps the training trail append-only against
raw SQL too (on SQLite against updates, as the inspection trail: test flushes delete)."""

from django.db import migrations

from kesu.core.practice import CRITERIA, DEFAULT_WEIGHTS, default_scenarios_data

SQLITE_GUARD = [
    """CREATE TRIGGER practice_trainingevent_no_update BEFORE UPDATE ON practice_trainingevent
       BEGIN SELECT RAISE(ABORT, 'the training trail is append-only'); END;""",
]
POSTGRES_GUARD = [
    """CREATE OR REPLACE FUNCTION kesu_practice_trail_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the training trail is append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER practice_trainingevent_append_only BEFORE UPDATE OR DELETE ON practice_trainingevent
       FOR EACH ROW EXECUTE FUNCTION kesu_practice_trail_append_only();""",
]


def seed(apps, schema_editor):
    Scenario = apps.get_model("practice", "Scenario")
    CriterionWeight = apps.get_model("practice", "CriterionWeight")
    for row in default_scenarios_data():
        Scenario.objects.get_or_create(
            code=row["code"],
            defaults={
                "title": row["title"],
                "title_en": row.get("title_en", ""),
                "brief": row["brief"],
                "brief_en": row.get("brief_en", ""),
                "category": row.get("category", "other"),
                "persona": row["persona"],
                "trains": row.get("trains", []),
            },
        )
    for code in CRITERIA:
        CriterionWeight.objects.get_or_create(code=code, defaults={"weight": DEFAULT_WEIGHTS[code]})


def guard(apps, schema_editor):
    statements = {"sqlite": SQLITE_GUARD, "postgresql": POSTGRES_GUARD}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def unguard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS practice_trainingevent_no_update;")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS practice_trainingevent_append_only ON practice_trainingevent;")
        schema_editor.execute("DROP FUNCTION IF EXISTS kesu_practice_trail_append_only();")


class Migration(migrations.Migration):
    dependencies = [("practice", "0001_initial")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(guard, unguard),
    ]
