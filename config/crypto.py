"""Encryption at rest for LinkedIn tokens and client secrets (Fernet, with key rotation)."""

from __future__ import annotations

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(value: str) -> str:
    return fernet().decrypt(value.encode()).decode()


class EncryptedTextField(models.TextField):
    """A text column stored Fernet-encrypted; Python code only ever sees the plain value.

    An empty string stays empty (no secret set). A value no key can decrypt raises, so a lost
    key is noticed instead of silently becoming an empty secret.
    """

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        try:
            return decrypt(value)
        except InvalidToken as exc:
            raise ValueError(f"{self.model.__name__}.{self.name}: no key decrypts it") from exc

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(value)
