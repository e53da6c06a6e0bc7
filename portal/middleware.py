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
