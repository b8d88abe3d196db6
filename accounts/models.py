import unicodedata

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone


def canonical_email(value: str) -> str:
    """The one spelling of an email address that accounts are stored, found and throttled by.

    Unicode-normalised (NFKC: the long s, U+017F, is an "s") and case-folded. Every lookup is an
    exact match on this form: a database's own case-insensitive match differs by engine
    (PostgreSQL's UPPER() makes the dotless i, U+0131, an "I"; SQLite's LIKE folds ASCII only), so
    "ivan@" spelt with a dotless i reached ivan's account under a throttle count of its own.
    """
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", value.strip()).casefold())


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=canonical_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, role=User.Role.ADMIN)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        # No stored email is longer than the column; and SQLite refuses the case-insensitive
        # LIKE for a pattern over 50,000 bytes (OperationalError, a 500 on the token endpoint).
        if len(username) > self.model._meta.get_field("email").max_length:
            raise self.model.DoesNotExist
        return self.get(email=canonical_email(username))


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an email address.

    Clients book and pay, trainers are booked and paid. Admins are staff users (created with
    `createsuperuser`); they can't be signed up for through the API.
    """

    class Role(models.TextChoices):
        CLIENT = "client", "Client"
        TRAINER = "trainer", "Trainer"
        ADMIN = "admin", "Admin"

    email = models.EmailField(unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.CLIENT)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Where the user reads times (IANA name): pages and emails show a session in it as well as
    # in the trainer's zone, where it takes place. (After date_joined: it shadows the module.)
    timezone = models.CharField(max_length=64, default="UTC")

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = canonical_email(self.email)

    def get_full_name(self):
        """The name on one line (names are typed by users: a newline in one made every email
        with it in a header fail), or the email when there is none."""
        return " ".join(f"{self.first_name} {self.last_name}".split()) or self.email

    def get_short_name(self):
        return " ".join(self.first_name.split()) or self.email

    @property
    def is_admin(self) -> bool:
        return self.is_staff

    @property
    def is_client(self) -> bool:
        return self.role == self.Role.CLIENT

    @property
    def is_trainer(self) -> bool:
        return self.role == self.Role.TRAINER
