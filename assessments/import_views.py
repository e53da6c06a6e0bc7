# Placeholder: the secretariat's survey import page (being built).
from django.http import HttpResponse

from portal.permissions import secretariat_required


@secretariat_required
def survey_import_view(request):
    return HttpResponse(status=501)
