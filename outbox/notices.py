"""What a page tells its user when the work that their change asked for is held."""

import contextlib
from collections.abc import Iterator

from django.contrib import messages
from django.http import HttpRequest

from outbox.services import Held, watch


@contextlib.contextmanager
def tell_if_held(request: HttpRequest) -> Iterator[Held]:
    """Wraps a view's call of a service: if the broker refused what the service enqueued,
    the page says that it will follow (the change itself is stored). The service's commit
    has dispatched its tasks by the time it returns, so ``held.messages`` can be read inside
    the block; the notices come after the messages that the block adds."""
    with watch() as held:
        yield held
    for notice in held.notices:
        messages.info(request, notice)
