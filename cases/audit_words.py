"""A case's audit entries in words (core.audit_display): the step a change
of state means, as the transition table (cases/transitions.py) names it."""

from .models import Case

State = Case.State
# The state a step leaves the case in → what the person did.
DONE = {
    State.CORRECTION: "一次性告知补正：办件",
    State.ACCEPTED: "受理了办件",
    State.REVIEWING: "审查了办件",
    State.SUSPENDED: "对办件启动特别程序：",
    State.REFUSED: "不予受理办件",
    State.APPROVED: "作出准予决定：办件",
    State.DENIED: "作出不予许可决定：办件",
    State.ISSUED: "颁发证照：办件",
    State.DELIVERED: "送达了办件",
}


def case_phrase(entry):
    after, before = entry.after or {}, entry.before or {}
    if entry.action == "create":
        return f"收件登记了办件 {entry.object_repr}"
    if entry.action != "update":
        return None
    if before.get("state") == State.CORRECTION and after.get("state") != State.CORRECTION:
        return f"登记了补正材料：办件 {entry.object_repr}"
    if before.get("state") == State.SUSPENDED and after.get("state") != State.SUSPENDED:
        return f"结束了特别程序：办件 {entry.object_repr}"
    if after.get("state") != before.get("state") and after.get("state") in DONE:
        return f"{DONE[after['state']]} {entry.object_repr}"
    if after.get("holder_id") != before.get("holder_id") or after.get("at_window") != before.get("at_window"):
        return f"流转了办件 {entry.object_repr}"
    return None
