"""A storage that is a name in ``STORAGES``, not the backend in force when a model was loaded.

A ``FileField(storage=callable)`` calls the callable once, when its model class is built, and keeps
what it returned: ``storages["imports"]`` then would be the backend of the settings at import
time, and a test's or a deployment's later ``STORAGES`` (``override_settings``, pytest-django's
``settings``) would not reach it. :class:`StorageAlias` looks ``storages[alias]`` up on every use,
and Django's test machinery empties that cache when ``STORAGES`` changes (its ``setting_changed``
receiver), so the field follows the setting. Migrations name the callable that returns it, never this object.
"""

from __future__ import annotations

from typing import Any

from django.core.files.storage import Storage, storages


class StorageAlias(Storage):
    """Every call goes to ``storages[alias]`` as it is now (the file system, a bucket…)."""

    def __init__(self, alias: str):
        self.alias = alias

    @property
    def target(self) -> Storage:
        return storages[self.alias]

    def __repr__(self) -> str:
        return f"<StorageAlias {self.alias!r}>"

    def __getattr__(self, name: str) -> Any:
        """A backend's own attributes (``location``, ``bucket_name``…)."""
        if name.startswith("__") or name == "alias":  # copying, pickling, a half-built object
            raise AttributeError(name)
        return getattr(self.target, name)

    def open(self, name, mode="rb"):
        return self.target.open(name, mode)

    def save(self, name, content, max_length=None):
        return self.target.save(name, content, max_length=max_length)

    def is_name_available(self, name, max_length=None):
        return self.target.is_name_available(name, max_length=max_length)

    def get_valid_name(self, name):
        return self.target.get_valid_name(name)

    def get_alternative_name(self, file_root, file_ext):
        return self.target.get_alternative_name(file_root, file_ext)

    def get_available_name(self, name, max_length=None):
        return self.target.get_available_name(name, max_length=max_length)

    def generate_filename(self, filename):
        return self.target.generate_filename(filename)

    def path(self, name):
        return self.target.path(name)

    def delete(self, name):
        return self.target.delete(name)

    def exists(self, name):
        return self.target.exists(name)

    def listdir(self, path):
        return self.target.listdir(path)

    def size(self, name):
        return self.target.size(name)

    def url(self, name):
        return self.target.url(name)

    def get_accessed_time(self, name):
        return self.target.get_accessed_time(name)

    def get_created_time(self, name):
        return self.target.get_created_time(name)

    def get_modified_time(self, name):
        return self.target.get_modified_time(name)
