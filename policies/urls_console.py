"""Pages (filled in as the app is built)."""
urlpatterns = []
