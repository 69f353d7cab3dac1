"""The one error shape every service raises and every page and API shows:
a code, a Chinese message, and per-field messages."""

from typing import Any

from django.core.exceptions import ValidationError


class ServiceError(Exception):
    """A refused request. Nothing was changed when this is raised."""

    status = 400
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        errors: dict[str, list[str]] | None = None,
        code: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        if code:
            self.code = code
        if status:
            self.status = status

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "errors": self.errors}


class Conflict(ServiceError):
    """Someone else changed the record first."""

    status = 409
    code = "conflict"


def from_validation_error(exc: ValidationError, message: str = "提交的数据有误，请按提示修改") -> ServiceError:
    if hasattr(exc, "error_dict"):
        errors = {field: [str(m) for e in errs for m in e.messages] for field, errs in exc.error_dict.items()}
        first = next(iter(errors.items()), None)
        if first and len(errors) == 1 and len(first[1]) == 1:
            message = first[1][0]
        return ServiceError(message, errors=errors)
    return ServiceError("；".join(exc.messages))
