from django.db import models


class WorkerHeartbeat(models.Model):
    """When each Celery worker last ran a task: the status page shows it."""

    hostname = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.hostname} at {self.seen_at:%Y-%m-%d %H:%M:%S}"
