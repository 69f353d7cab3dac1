"""Console pages of the weekly bulletin under /console/bulletin/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("lists/", views.lists, name="lists"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/header/", views.header, name="header"),
    path("<int:pk>/distribution/", views.apply_list, name="apply_list"),
    path("<int:pk>/refresh/", views.refresh, name="refresh"),
    path("<int:pk>/blocks/", views.add_block, name="add_block"),
    path("<int:pk>/blocks/<int:block_pk>/", views.block, name="block"),
    path("<int:pk>/export.docx", views.export_docx, name="export_docx"),
    path("<int:pk>/pdf/", views.export_pdf, name="export_pdf"),
    path("<int:pk>/pdf/<str:result_id>/", views.export_pdf_status, name="export_pdf_status"),
    path("<int:pk>/files/<int:file_pk>/", views.download, name="download"),
    path("<int:pk>/issue/", views.issue, name="issue"),
]
