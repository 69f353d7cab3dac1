"""Console pages of the policy zone under /console/policies/: maintaining and
reviewing the library (urls_library) and answering tickets (urls_tickets)."""

from .urls_library import urlpatterns as library
from .urls_tickets import urlpatterns as tickets

urlpatterns = library + tickets
