from django.conf import settings
from django.http import Http404, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _


class RefuseNulMiddleware:
    """A NUL character in the address is never a real office code or version: PostgreSQL
    cannot even compare one, so such a request is answered 404 before any query runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("There is no such API address.")}, status=404)
            raise Http404
        return self.get_response(request)


class NoStoreMiddleware:
    """Marks every answer but the static files ``Cache-Control: private, no-store``.

    A page or API answer of a logged-in person must not outlive the session in the
    browser's cache (an office's shared computer, the back button after logging out) nor
    be kept by a proxy in between. The pages before logging in are no exception: they
    carry a form's CSRF token and messages meant for one person, and the portal has
    nothing public worth caching. Static files are answered by WhiteNoise before this
    runs, and stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            patch_cache_control(response, private=True, no_store=True)
        return response


class ApiAnswersJsonMiddleware:
    """The API answers JSON, always: a body over the size limit gets a JSON 413 before
    anything reads it, and an error answered by Django itself (its HTML 400 for a request
    it refused, say) is turned into JSON with the same status."""

    KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        if self._too_large(request):
            from portal.api.parsers import too_large_message

            return JsonResponse({"detail": too_large_message()}, status=413)
        response = self.get_response(request)
        if response.status_code >= 400 and "json" not in response.get("Content-Type", ""):
            detail = (
                _("The request could not be read.")
                if response.status_code == 400
                else response.reason_phrase
            )
            answer = JsonResponse({"detail": detail}, status=response.status_code)
            for header in self.KEPT_HEADERS:
                if header in response:
                    answer[header] = response[header]
            return answer
        return response

    @staticmethod
    def _too_large(request) -> bool:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return False
        return limit is not None and length > limit
