from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from accounts.models import User, canonical_email
from trainers.models import TrainerProfile


@transaction.atomic
def user_register(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    role: str,
    timezone: str = "UTC",
) -> User:
    """Create a client or trainer. A trainer gets an empty profile to fill in, in the same time
    zone as their account."""
    user = User(
        email=canonical_email(email),
        first_name=first_name,
        last_name=last_name,
        role=role,
        timezone=timezone,
    )
    validate_password(password, user)  # raises django ValidationError -> 400 with "fields"
    user.set_password(password)
    user.save()
    if role == User.Role.TRAINER:
        TrainerProfile.objects.create(user=user, timezone=timezone)
    return user


def user_change_password(*, user: User, new_password: str) -> None:
    """Set a new password (checked by the password validators). Every token issued before stops
    working: tokens carry a hash of the password they were issued under (SIMPLE_JWT's
    CHECK_REVOKE_TOKEN), and Django's sessions a hash of it too."""
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])


def user_update(*, user: User, timezone: str | None = None) -> User:
    """Change what a user may change about their account (today: the time zone they read in)."""
    if timezone is not None:
        user.timezone = timezone
        user.save(update_fields=["timezone"])
    return user
