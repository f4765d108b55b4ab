"""The API root: /api/v1/, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from ninja import NinjaAPI

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
