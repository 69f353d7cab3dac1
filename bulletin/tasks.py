"""Background work of the bulletin: PDF rendering takes seconds, so the page
queues it and polls for the result."""

from django_tasks import task


@task()
def render_pdf(bulletin_id):
    from . import render, services

    try:
        record = services.export_pdf(bulletin_id)
    except render.PdfUnavailable as exc:
        return {"ok": False, "message": str(exc)}
    return {"ok": True, "file": record.pk, "version": record.bulletin_version, "seconds": round(record.seconds, 1)}
