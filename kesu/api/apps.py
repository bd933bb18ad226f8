from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kesu.api"
    label = "kesu_api"
