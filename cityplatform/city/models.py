from django.db import models


class SignedIn(models.Model):
    """Which local session belongs to which province session (`sid`), so a
    back-channel logout token can end it."""

    sid = models.CharField(max_length=64, db_index=True)
    session_key = models.CharField(max_length=40)
    name = models.CharField(max_length=60)
    at = models.DateTimeField(auto_now_add=True)
