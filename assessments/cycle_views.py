# Placeholder: the secretariat's cycle pages (see the helper's work).
from django.http import HttpResponse

from portal.permissions import secretariat_required


@secretariat_required
def cycle_create_view(request):
    return HttpResponse(status=501)


@secretariat_required
def cycle_detail(request, year):
    return HttpResponse(status=501)


@secretariat_required
def cycle_invite_view(request, year):
    return HttpResponse(status=501)
