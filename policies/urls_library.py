from django.urls import path

from . import views_library as views

urlpatterns = [
    path("", views.index, name="index"),
    path("documents/new/", views.document_form, name="document_new"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("documents/<int:pk>/edit/", views.document_form, name="document_edit"),
    path("documents/<int:pk>/step/", views.document_step, name="document_step"),
    path("documents/<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/remove/", views.attachment_remove, name="attachment_remove"),
    path("documents/<int:document_pk>/items/new/", views.item_form, name="item_new"),
    path("documents/<int:document_pk>/interpretations/new/", views.interpretation_form, name="interpretation_new"),
    path("interpretations/<int:pk>/step/", views.interpretation_step, name="interpretation_step"),
    path("items/", views.item_list, name="items"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/edit/", views.item_form, name="item_edit"),
    path("items/<int:pk>/step/", views.item_step, name="item_step"),
    path("review/", views.review, name="review"),
    path("overdue/", views.overdue, name="overdue"),
    path("import/", views.import_page, name="import"),
    path("export/", views.export, name="export"),
    path("vocabulary/", views.vocabulary_page, name="vocabulary"),
]
