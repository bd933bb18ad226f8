from django.db import migrations

LEVELS = [
    (0, "agent", "坐席", "Agent", "agent"),
    (1, "team_lead", "班组长", "Team lead", "team_lead"),
    (2, "manager", "主管", "Manager", "manager"),
    (3, "legal_pr", "法务/公关", "Legal / PR", "legal_pr"),
]


def seed(apps, schema_editor):
    EscalationLevel = apps.get_model("escalation", "EscalationLevel")
    for position, code, name, name_en, role in LEVELS:
        EscalationLevel.objects.get_or_create(
            code=code, defaults={"position": position, "name": name, "name_en": name_en, "role": role}
        )


class Migration(migrations.Migration):
    dependencies = [("escalation", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
