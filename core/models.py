"""Shared rows: the data stamps that cached pages are keyed by (core.stamps)."""

from django.db import models


class DataStamp(models.Model):
    """A random token per area of data, replaced after every commit that wrote to it,
    so that a part cached under the token is never shown stale."""

    key = models.CharField("対象", max_length=20, primary_key=True)
    token = models.CharField("版", max_length=32)

    class Meta:
        verbose_name = "データの版"
        verbose_name_plural = "データの版"

    def __str__(self):
        return f"{self.key}:{self.token}"
