"""The two error shapes LinkedIn answers with: Rest.li API errors and OAuth errors."""

from __future__ import annotations

# serviceErrorCode values. 65600 (invalid token), 100 (permissions) and 101 (throttle) are
# LinkedIn's documented codes; the others are the sandbox's own, stable so tests can match them.
INVALID_TOKEN = 65600
ACCESS_DENIED = 100
THROTTLED = 101
BAD_REQUEST = 400
NOT_FOUND = 404
METHOD_NOT_ALLOWED = 405
NOT_PENDING = 409
URI_TOO_LONG = 414
INVALID_ENTITY = 422
INTERNAL = 500
UNAVAILABLE = 503


class ApiError(Exception):
    """A /v2 failure, rendered as {"status", "serviceErrorCode", "message"}."""

    def __init__(self, status: int, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = status if code is None else code

    def body(self) -> dict[str, object]:
        return {"status": self.status, "serviceErrorCode": self.code, "message": self.message}


class OAuthError(Exception):
    """An /oauth/v2 failure, rendered as {"error", "error_description"}."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def bad_request(message: str) -> ApiError:
    return ApiError(400, message, BAD_REQUEST)


def forbidden(message: str) -> ApiError:
    return ApiError(403, message, ACCESS_DENIED)


def unprocessable(message: str) -> ApiError:
    return ApiError(422, message, INVALID_ENTITY)
