from __future__ import annotations

import factory
from django.contrib.auth.models import Group

from kesu.accounts.models import Team, User
from kesu.customers.models import Customer, Tier


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"投诉{n}组")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    team = factory.SubFactory(TeamFactory)
    password = factory.PostGenerationMethodCall("set_password", "pw-kesu-123")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
        self.save()


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    external_id = factory.Sequence(lambda n: f"CUST{n:05d}")
    name = "张伟"
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    email = "zhang.wei@example.com"
    id_card = "110101199003071234"
    tier = factory.LazyFunction(lambda: Tier.objects.get(code="standard"))


def unit_embedding(*values: float) -> bytes:
    """A complaint's stored embedding (float16 bytes, 384 wide, unit length) whose first
    coordinates are ``values``: cosine similarity between two of them is easy to foresee."""
    import numpy as np

    vector = np.zeros(384, dtype=np.float32)
    vector[: len(values)] = values
    return (vector / np.linalg.norm(vector)).astype(np.float16).tobytes()
