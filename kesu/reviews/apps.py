from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "kesu.reviews"
    label = "reviews"
    verbose_name = _("Closing the loop")

    def ready(self) -> None:
        from kesu.reviews import selectors
        from kesu.reviews.models import ReviewPolicy, Touchpoint

        for model, forget in (
            (ReviewPolicy, selectors.forget_policy),
            (Touchpoint, selectors.forget_touchpoints),
        ):
            post_save.connect(forget, sender=model, dispatch_uid=f"reviews-{model.__name__}-save")
            post_delete.connect(forget, sender=model, dispatch_uid=f"reviews-{model.__name__}-del")
