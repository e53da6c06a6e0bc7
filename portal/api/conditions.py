"""Conditional writes: a client sends back the version it read (If-Match), so that a stale
client never overwrites a change it has not seen. One parser for every endpoint."""

import re

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import APIException


class PreconditionRequired(APIException):
    status_code = 428
    default_code = "precondition_required"


def if_match_parameter(description: str) -> OpenApiParameter:
    return OpenApiParameter(
        "If-Match", str, OpenApiParameter.HEADER, required=True, description=description
    )


def if_match(request, example: str) -> str:
    """The version the client read, from If-Match (its ETag, quoted or not, weak or not)."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired(
            _("Send the version you read in an If-Match header, e.g. If-Match: %(example)s.")
            % {"example": example}
        )
    return re.sub(r'^(?:W/)?"?(.*?)"?$', r"\1", header)
