"""The accounts app's part of a user's data: the profile and the consent records."""

from accounts.privacy.consents import consents_export, marketing_consent_get


def profile_export(*, user) -> dict:
    return {
        "username": user.username,
        "email": user.email,
        "role": user.role,
        "brand_name": user.brand_name,
        "gender": user.gender,
        "body_size": user.body_size,
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "marketing_email": marketing_consent_get(user=user),
        "consents": consents_export(user),
    }


def profile_files(*, user) -> list[str]:
    return []  # a profile holds no file


def profile_delete(*, user) -> int:
    return 0  # the user row and its consents go last, with the user (withdrawal.py)
