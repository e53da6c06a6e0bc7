from django.http import Http404, JsonResponse
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
