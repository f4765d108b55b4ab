"""Pages for regions and organisations (being built: see issue 2)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def region_list(request):
    return HttpResponse("regions")


@login_required
def organisation_list(request):
    return HttpResponse("organisations")
