from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kesu.api"
    label = "kesu_api"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save, pre_save
        from rest_framework.authtoken.models import Token

        from kesu.accounts.models import Team, User
        from kesu.api.authentication import forget_tokens, revoke_tokens_on_password_change

        # A remembered token must not outlive its revocation, nor its user's or team's change.
        for model in (Token, User, Team):
            for signal in (post_save, post_delete):
                signal.connect(forget_tokens, sender=model, dispatch_uid=f"api-tokens-{model.__name__}")
        pre_save.connect(revoke_tokens_on_password_change, sender=User, dispatch_uid="api-tokens-password")
