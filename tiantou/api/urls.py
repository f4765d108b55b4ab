"""The API root: /api/v1/, OpenAPI at /api/v1/openapi.json."""

from ninja import NinjaAPI

api = NinjaAPI(title="Tiantou API", version="1", urls_namespace="api")
