"""Seed the SPEC §7 defaults as editable rows, and an example office-hours calendar (unused
until an admin assigns it to a policy)."""

from django.db import migrations

POLICIES = [("vip", 48, 8), ("high", 48, 24), ("standard", 48, 48)]
OFFICE = {
    "timezone": "Asia/Shanghai",
    "week": {day: ["09:00-12:00", "13:00-18:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
    "holidays": [],
    "makeup_workdays": [],
}


def seed(apps, schema_editor):
    Tier = apps.get_model("customers", "Tier")
    SlaPolicyConfig = apps.get_model("sla", "SlaPolicyConfig")
    BusinessCalendarConfig = apps.get_model("sla", "BusinessCalendarConfig")
    for code, first, effective in POLICIES:
        tier = Tier.objects.filter(code=code).first()
        if tier is not None:
            SlaPolicyConfig.objects.get_or_create(
                tier=tier,
                priority=None,
                defaults={"first_reply_hours": first, "effective_reply_hours": effective, "at_risk_ratio": 0.75},
            )
    BusinessCalendarConfig.objects.get_or_create(name="工作日 9:00-18:00", defaults={"data": OFFICE})


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial"), ("customers", "0002_default_tiers")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
