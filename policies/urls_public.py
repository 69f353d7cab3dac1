"""Public pages of the policy zone under /policies/: the library pages
(urls_zone) and search and consultation (urls_search)."""

from .urls_search import urlpatterns as search
from .urls_zone import urlpatterns as zone

urlpatterns = zone + search
