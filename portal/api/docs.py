"""Shapes shared by every endpoint's documentation: the error answers."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

Error = inline_serializer("Error", {"detail": serializers.CharField()})
ValidationErrors = inline_serializer(
    "ValidationErrors",
    {
        "detail": serializers.CharField(),
        "errors": serializers.DictField(
            child=serializers.JSONField(),
            required=False,
            help_text="Messages by field; answers by their position in the list sent, then "
            "field (on submit, what is missing by recommendation number). Absent when the "
            "body itself could not be read.",
        ),
    },
)


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The error answers of an endpoint, described once."""
    described = {
        400: OpenApiResponse(ValidationErrors, description="The request is not valid."),
        401: OpenApiResponse(Error, description="No valid credentials were sent."),
        403: OpenApiResponse(Error, description="Your role does not allow this."),
        404: OpenApiResponse(Error, description="Not found, or not yours to see."),
        409: OpenApiResponse(Error, description="The assessment cannot be changed now."),
        428: OpenApiResponse(Error, description="Send the version you read in If-Match."),
    }
    return {code: described[code] for code in codes}


def detail(message) -> dict:
    return {"detail": str(message)}
