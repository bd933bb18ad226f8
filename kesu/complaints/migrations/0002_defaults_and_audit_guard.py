"""Seed the default taxonomy (SPEC §3) and the workflow's stage names and checklists (SPEC §4),
and make the audit trail append-only in the database itself."""

from django.db import migrations

from kesu.core.workflow import DEFAULT_CHECKLISTS, STAGE_NAMES

CATEGORIES = [
    ("product_quality", "产品质量", [("functional_defect", "功能缺陷"), ("below_spec", "性能不达标")]),
    ("service_attitude", "服务态度", [("slow_response", "响应缓慢"), ("cold_staff", "态度冷淡")]),
    ("process", "流程问题", [("complicated_procedure", "操作复杂"), ("long_wait", "等待时间长")]),
    ("communication", "沟通问题", [("opaque_information", "信息不透明"), ("unclear_explanation", "解释不清")]),
    ("price_fee", "价格/费用", [("tariff", "资费"), ("extra_loss", "额外损失")]),
    ("logistics_delay", "物流/服务延误", []),
    ("rights_dispute", "权益纠纷", []),
    ("other", "其他", []),
]


def seed(apps, schema_editor):
    Category = apps.get_model("complaints", "Category")
    StageConfig = apps.get_model("complaints", "StageConfig")
    ChecklistItemConfig = apps.get_model("complaints", "ChecklistItemConfig")
    for position, (code, name, subs) in enumerate(CATEGORIES):
        parent, _ = Category.objects.get_or_create(code=code, defaults={"name": name, "position": position})
        for sub_position, (sub_code, sub_name) in enumerate(subs):
            Category.objects.get_or_create(
                code=sub_code, defaults={"name": sub_name, "parent": parent, "position": sub_position}
            )
    for stage, (name_zh, name_en) in STAGE_NAMES.items():
        config, _ = StageConfig.objects.get_or_create(stage=stage.value, defaults={"name": name_zh, "name_en": name_en})
        for position, item in enumerate(DEFAULT_CHECKLISTS[stage]):
            ChecklistItemConfig.objects.get_or_create(
                stage=config,
                code=item.code,
                defaults={"label": item.label_zh, "label_en": item.label_en, "required": item.required, "position": position},
            )


SQLITE_GUARD = [
    """CREATE TRIGGER complaints_auditevent_no_update BEFORE UPDATE ON complaints_auditevent
       BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;""",
]
POSTGRES_GUARD = [
    """CREATE OR REPLACE FUNCTION kesu_audit_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER complaints_auditevent_append_only BEFORE UPDATE OR DELETE ON complaints_auditevent
       FOR EACH ROW EXECUTE FUNCTION kesu_audit_append_only();""",
]


def guard(apps, schema_editor):
    statements = {"sqlite": SQLITE_GUARD, "postgresql": POSTGRES_GUARD}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def unguard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS complaints_auditevent_no_update;")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS complaints_auditevent_append_only ON complaints_auditevent;")
        schema_editor.execute("DROP FUNCTION IF EXISTS kesu_audit_append_only();")


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(guard, unguard),
    ]
