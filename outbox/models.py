import datetime

from django.db import models
from django.utils import timezone


class OutboxMessageQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(sent_at__isnull=True)

    def due(self, *, now: datetime.datetime | None = None, grace: float = 0):
        """Pending messages not touched for ``grace`` seconds: the dispatch that follows a
        commit is left alone while it may still be under way."""
        now = now or timezone.now()
        return self.pending().filter(touched_at__lte=now - datetime.timedelta(seconds=grace))


class OutboxMessage(models.Model):
    """A task that a committed change asked for, kept until the broker has taken it.

    Written in the same transaction as the change, so that a change and the work it asks for
    are stored together or not at all; sent after the commit, and again by the sweep for as
    long as the broker refuses it.
    """

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the broker accepted the message (or, without a broker, when the task was run).
    sent_at = models.DateTimeField(null=True, blank=True)
    # When a delivery of it finished its work: a second delivery then does nothing.
    done_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    touched_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(
                fields=["touched_at"],
                condition=models.Q(sent_at__isnull=True),
                name="outbox_pending",
            )
        ]

    def __str__(self) -> str:
        state = "sent" if self.sent_at else "pending"
        return f"{self.task}{tuple(self.args)} #{self.pk} ({state})"
