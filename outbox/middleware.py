"""Runs, once the response is sent, the long in-process tasks that the request asked for."""

from django.http import HttpRequest, HttpResponse

from outbox.services import after_response, run_put_off_in_background


class RunAfterResponseMiddleware:
    """Without a broker, an export asked for by a click would otherwise be built before the
    click is answered (seconds of a blank wait, then "Done"): it is built once the answer,
    the page that follows its progress, is sent, in a thread, so that the server answers
    the page's next requests meanwhile."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with after_response() as put_off:
            response = self.get_response(request)
        if put_off:
            # The closers of a response run when the server closes it, after its last byte.
            response._resource_closers.append(lambda: run_put_off_in_background(put_off))
        return response
