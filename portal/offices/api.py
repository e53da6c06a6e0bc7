from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from portal.api.docs import errors
from portal.offices.models import Office, OfficeType, Region


class OfficeSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="WIPO ST.3 code")
    name = serializers.CharField()
    region = serializers.ChoiceField(choices=Region.choices)
    office_type = serializers.ChoiceField(choices=OfficeType.choices)


@extend_schema(
    operation_id="offices_list",
    tags=["offices"],
    summary="The offices you may read: your own, or all for the task force",
    responses={200: OfficeSerializer(many=True), **errors(401)},
)
@login_not_required
@api_view(["GET"])
def office_list(request):
    offices = Office.objects.for_user(request.user).order_by("code")
    return Response(OfficeSerializer(offices, many=True).data)


@extend_schema(
    operation_id="offices_retrieve",
    tags=["offices"],
    summary="One office",
    responses={200: OfficeSerializer, **errors(401, 404)},
)
@login_not_required
@api_view(["GET"])
def office_detail(request, code: str):
    office = get_object_or_404(Office.objects.for_user(request.user), code=code.upper())
    return Response(OfficeSerializer(office).data)
