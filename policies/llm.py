"""An optional large-model answer through an OpenAI-compatible endpoint.

Off unless TONGBAN_LLM_URL is set (settings or environment):
  TONGBAN_LLM_URL    base URL, e.g. http://10.0.0.5:8000/v1 (…/chat/completions is added)
  TONGBAN_LLM_MODEL  model name sent with each request
  TONGBAN_LLM_KEY    bearer key, if the endpoint wants one
  TONGBAN_LLM_TIMEOUT seconds to wait (default 20)
Any failure (refused connection, timeout, bad reply) gives None: the answer
card built from the library is shown alone.
"""

import json
import logging
import os
import urllib.error
import urllib.request

from django.conf import settings

log = logging.getLogger(__name__)


def conf(name, default=""):
    value = getattr(settings, name, None)
    return value if value not in (None, "") else os.environ.get(name, default)


def enabled():
    return bool(conf("TONGBAN_LLM_URL"))


def endpoint():
    url = conf("TONGBAN_LLM_URL").rstrip("/")
    return url if url.endswith("/chat/completions") else url + "/chat/completions"


def chat(messages):
    """The model's reply text, or None when it is off or fails."""
    if not enabled():
        return None
    body = json.dumps({"model": conf("TONGBAN_LLM_MODEL", "default"), "messages": messages, "temperature": 0}).encode(
        "utf-8"
    )
    headers = {"Content-Type": "application/json"}
    if conf("TONGBAN_LLM_KEY"):
        headers["Authorization"] = f"Bearer {conf('TONGBAN_LLM_KEY')}"
    request = urllib.request.Request(endpoint(), data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=float(conf("TONGBAN_LLM_TIMEOUT", "20"))) as response:
            data = json.loads(response.read().decode("utf-8"))
        return str(data["choices"][0]["message"]["content"]).strip() or None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        log.warning("large-model answer unavailable: %s", exc)
        return None
