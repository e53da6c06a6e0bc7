from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """DRF's answers, with validation errors under "errors" and a one-line "detail" beside
    them, so that every error body has a "detail" a person can read."""
    response = drf_exception_handler(exc, context)
    if response is not None and not (isinstance(response.data, dict) and "detail" in response.data):
        from django.utils.translation import gettext as _

        response.data = {"detail": _("Some values are not valid."), "errors": response.data}
    return response
