from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "办件"

    def ready(self):
        from core import audit, audit_display

        from . import audit_words, notify
        from .models import CaseEvent, CaseFile, Certificate, Evaluation

        notify.connect()  # tell applicants through the 消息中心
        # A case's events, files, certificates and rating belong to it in the audit log.
        for model in (CaseEvent, CaseFile, Certificate, Evaluation):
            audit.belongs_to(model, "case")
        audit_display.register_phrase("cases.Case", audit_words.case_phrase)
