from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils.json import strict_constant

from portal import safejson


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"


def too_large_message() -> str:
    return _("The request body is larger than the %(size)d bytes the API accepts.") % {
        "size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    }


class StrictJSONParser(JSONParser):
    """JSON without NUL characters, of a bounded size and depth: no answer or name holds a
    NUL, PostgreSQL refuses to even compare text with one (found by fuzzing the API), and a
    body nested thousands deep would exhaust the decoder's recursion."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        # Read at most one byte past the limit, whatever the request claims its length is.
        raw = stream.read(limit + 1) if stream is not None else b""
        if limit is not None and len(raw) > limit:
            raise PayloadTooLarge(too_large_message())
        try:
            text = raw.decode((parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET)
            data = safejson.loads(text, parse_constant=strict_constant)
        except safejson.TooDeep as deep:
            raise ParseError(
                _("JSON nested more than %(depth)d levels deep is not accepted.")
                % {"depth": deep.max_depth}
            ) from None
        except ValueError as error:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": error}) from None
        if _has_nul(data):
            raise ParseError(_("Text may not contain NUL characters."))
        return data
