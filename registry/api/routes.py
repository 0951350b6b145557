"""Registers every domain's API routes on the blueprint, in one list."""

from registry.accounts import api as accounts_api
from registry.api import api, docs  # noqa: F401 - docs adds /openapi.json
from registry.audit import api as audit_api
from registry.dashboard import views as stats_api
from registry.datasets import api as datasets_api
from registry.performance import api as performance_api
from registry.portal import api as portal_api
from registry.priorities import api as priorities_api
from registry.reviews import api as reviews_api
from registry.transfer import api as transfer_api

for module in (
    accounts_api,
    audit_api,
    datasets_api,
    reviews_api,
    priorities_api,
    portal_api,
    performance_api,
    stats_api,
    transfer_api,
):
    module.register(api)
