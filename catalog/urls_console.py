"""Console pages for the catalogue and acceptance manuals under /console/catalog/."""

from django.urls import path

from . import console

urlpatterns = [
    path("", console.index, name="index"),
    path("matters/new/", console.matter_create, name="matter_new"),
    path("matters/<int:pk>/", console.matter_detail, name="matter"),
    path("matters/<int:pk>/edit/", console.matter_edit, name="matter_edit"),
    path("matters/<int:matter_pk>/situations/new/", console.situation_form, name="situation_new"),
    path("situations/<int:pk>/edit/", console.situation_form, name="situation_edit"),
    path("situations/<int:situation_pk>/materials/new/", console.material_form, name="material_new"),
    path("materials/<int:pk>/edit/", console.material_form, name="material_edit"),
    path("materials/<int:pk>/delete/", console.material_delete, name="material_delete"),
    path("matters/<int:matter_pk>/questions/new/", console.question_form, name="question_new"),
    path("questions/<int:pk>/edit/", console.question_form, name="question_edit"),
    path("import/", console.import_catalogue, name="import"),
    path("export/", console.export_catalogue, name="export"),
    path("manuals/", console.manual_list, name="manuals"),
    path("manuals/progress/", console.manual_progress, name="manual_progress"),
    path("manuals/<int:situation_pk>/", console.manual_detail, name="manual"),
    path("manuals/<int:situation_pk>/edit/", console.manual_edit, name="manual_edit"),
    path("manuals/<int:situation_pk>/versions/<int:number>/", console.manual_version, name="manual_version"),
    path("manuals/<int:situation_pk>/review/", console.manual_review, name="manual_review"),
    path("manuals/<int:situation_pk>/confirm/", console.manual_confirm, name="manual_confirm"),
]
