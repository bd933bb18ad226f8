from django.db import migrations

TIERS = [("vip", "VIP", 0), ("high", "高端客户", 10), ("standard", "普通客户", 20)]


def create_tiers(apps, schema_editor):
    Tier = apps.get_model("customers", "Tier")
    for code, name, rank in TIERS:
        Tier.objects.get_or_create(code=code, defaults={"name": name, "rank": rank})


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]
    operations = [migrations.RunPython(create_tiers, migrations.RunPython.noop)]
