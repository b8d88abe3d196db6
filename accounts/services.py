from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from accounts.models import User, canonical_email


@transaction.atomic
def user_register(*, email: str, password: str, first_name: str, last_name: str, role: str) -> User:
    """Create a client or trainer. A trainer gets an empty profile to fill in."""
    user = User(email=canonical_email(email), first_name=first_name, last_name=last_name, role=role)
    validate_password(password, user)  # raises django ValidationError -> 400 with "fields"
    user.set_password(password)
    user.save()
    if role == User.Role.TRAINER:
        from trainers.models import TrainerProfile

        TrainerProfile.objects.create(user=user)
    return user
