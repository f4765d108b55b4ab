"""The API root: /api/v1/, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from django.http import Http404
from ninja import NinjaAPI, Router

from tiantou.accounts.api import router as accounts_router
from tiantou.indicators.api import router as indicators_router
from tiantou.ledger.api import router as ledger_router
from tiantou.people.api import router as people_router
from tiantou.regions.api import router as regions_router
from tiantou.targets.api import router as targets_router

from . import errors
from .auth import API_AUTH

api = NinjaAPI(
    title="Tiantou API",
    version="1",
    urls_namespace="api",
    auth=API_AUTH,
    description=(
        "田头 REST API. Authenticate with a personal token "
        "(`Authorization: Bearer tt_...`, made under “API tokens”) or the browser session. "
        'Errors are JSON: `{"detail": message, "errors": {field: [messages]}}`.'
    ),
)
errors.install(api)
api.add_router("", accounts_router)
api.add_router("", regions_router)
api.add_router("", people_router)
api.add_router("", ledger_router)
api.add_router("", indicators_router)
api.add_router("", targets_router)


# Last: any other path under the API (an unknown one, or an id that is not a number)
# answers a JSON 404 like every other error, not the site's HTML page.
fallback = Router(auth=None)


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False
)
def not_found(request, rest: str):
    raise Http404


api.add_router("", fallback)
