"""Pages for users, memberships and API tokens (being built: see issue 2)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def user_list(request):
    return HttpResponse("users")


@login_required
def profile(request):
    return HttpResponse("me")


@login_required
def token_list(request):
    return HttpResponse("tokens")
