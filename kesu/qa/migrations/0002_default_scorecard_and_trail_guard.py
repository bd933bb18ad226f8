"""The default scorecard (kesu/core/qa/data/scorecard.json) as version 1, in use; and the guard that
keeps the inspection trail append-only against raw SQL too (as the complaints' audit trail)."""

from django.db import migrations

from kesu.core.qa import default_scorecard_data

SQLITE_GUARD = [
    """CREATE TRIGGER qa_inspectionevent_no_update BEFORE UPDATE ON qa_inspectionevent
       BEGIN SELECT RAISE(ABORT, 'the inspection trail is append-only'); END;""",
]
POSTGRES_GUARD = [
    """CREATE OR REPLACE FUNCTION kesu_qa_trail_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the inspection trail is append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER qa_inspectionevent_append_only BEFORE UPDATE OR DELETE ON qa_inspectionevent
       FOR EACH ROW EXECUTE FUNCTION kesu_qa_trail_append_only();""",
]


def seed(apps, schema_editor):
    Scorecard = apps.get_model("qa", "Scorecard")
    ScorecardItem = apps.get_model("qa", "ScorecardItem")
    if Scorecard.objects.filter(code="default").exists():
        return
    data = default_scorecard_data()
    scorecard = Scorecard.objects.create(
        code=data["code"],
        name=data["name"],
        name_en=data.get("name_en", ""),
        pass_below=data.get("pass_below", 0.5),
        status="active",
    )
    ScorecardItem.objects.bulk_create(
        ScorecardItem(
            scorecard=scorecard,
            position=position,
            code=row["code"],
            kind=row["kind"],
            check_name=row.get("check", ""),
            group=row["group"],
            weight=row["weight"],
            critical=row.get("critical", False),
            label=row["label"],
            label_en=row.get("label_en", ""),
            description=row.get("description", ""),
            description_en=row.get("description_en", ""),
            channels=row.get("channels", []),
            params=row.get("params", {}),
        )
        for position, row in enumerate(data["items"])
    )


def guard(apps, schema_editor):
    statements = {"sqlite": SQLITE_GUARD, "postgresql": POSTGRES_GUARD}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def unguard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS qa_inspectionevent_no_update;")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS qa_inspectionevent_append_only ON qa_inspectionevent;")
        schema_editor.execute("DROP FUNCTION IF EXISTS kesu_qa_trail_append_only();")


class Migration(migrations.Migration):
    dependencies = [("qa", "0001_initial")]
    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(guard, unguard),
    ]
