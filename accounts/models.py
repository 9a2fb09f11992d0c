from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BRAND = "brand", _("Brand")
    CONSUMER = "consumer", _("Consumer")


class Gender(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class BodySize(models.TextChoices):
    SMALL = "S", _("Small")
    MEDIUM = "M", _("Medium")
    LARGE = "L", _("Large")


class User(AbstractUser):
    """A brand (제조사) or a consumer (소비자); the role is chosen at sign-up."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    # Consumers' default recommendation filters.
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    body_size = models.CharField(_("body size"), max_length=1, choices=BodySize.choices, blank=True)
    brand_name = models.CharField(_("brand name"), max_length=120, blank=True)

    @property
    def is_brand(self) -> bool:
        return self.role == Role.BRAND

    @property
    def is_consumer(self) -> bool:
        return self.role == Role.CONSUMER
