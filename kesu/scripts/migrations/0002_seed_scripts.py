"""Seed the library with the scripts written for this product (kesu/demo/scripts.json)."""

import json
from pathlib import Path

from django.db import migrations

SOURCE = Path(__file__).resolve().parents[2] / "demo" / "scripts.json"


def seed(apps, schema_editor):
    Script = apps.get_model("scripts", "Script")
    if Script.objects.exists():
        return
    rows = json.loads(SOURCE.read_text(encoding="utf-8"))
    Script.objects.bulk_create(
        Script(
            stage=row["stage"],
            category=row.get("category") or "",
            emotion=row.get("emotion") or "",
            title=row["title"],
            text=row["text"],
            text_en=row.get("text_en", ""),
            tags=row.get("tags", []),
        )
        for row in rows
    )


class Migration(migrations.Migration):
    dependencies = [("scripts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
