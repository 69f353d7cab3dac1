"""The optional large-model answer, against a stand-in OpenAI-compatible
server started in the test: off by default, shown only with citations."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from policies import answer, consultation, llm
from policies.search import samples

pytestmark = pytest.mark.django_db


class StandIn(BaseHTTPRequestHandler):
    reply = ""
    requests = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        StandIn.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        out = json.dumps({"choices": [{"message": {"role": "assistant", "content": StandIn.reply}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(settings):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    StandIn.requests = []
    settings.TONGBAN_LLM_URL = f"http://127.0.0.1:{httpd.server_port}/v1"
    settings.TONGBAN_LLM_MODEL = "stand-in"
    settings.TONGBAN_LLM_KEY = "k-test"
    yield StandIn
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def library(db):
    return samples.load_samples()


def test_off_by_default(library, monkeypatch):
    monkeypatch.delenv("TONGBAN_LLM_URL", raising=False)
    assert not llm.enabled()
    assert consultation.ask(None, "高新技术企业认定奖励多少钱？").get("model") is None


def test_cited_answer_is_shown_with_its_sources(library, server, client):
    server.reply = "首次通过认定的高新技术企业可获一次性奖励30万元[1]，重新认定奖励10万元[1]。"
    card = consultation.ask(None, "高新技术企业认定奖励多少钱？")
    request = server.requests[0]
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer k-test"
    assert request["body"]["model"] == "stand-in"
    prompt = request["body"]["messages"][-1]["content"]
    assert "[1]" in prompt and "高新技术企业认定奖励" in prompt and "川科规〔2024〕3号" in prompt
    assert card["model"]["text"].startswith("首次通过认定")
    assert [c["n"] for c in card["model"]["citations"]] == [1]
    page = client.post("/policies/ask/", {"question": "高新技术企业认定奖励多少钱？"}).content.decode()
    assert "智能答复" in page and "30万元[1]" in page and 'class="citations"' in page


@pytest.mark.parametrize("reply", ["奖励30万元。", "见资料[9]。", ""])
def test_answer_without_valid_citation_is_not_shown(library, server, reply):
    server.reply = reply
    card = consultation.ask(None, "高新技术企业认定奖励多少钱？")
    assert server.requests and card.get("model") is None
    assert card["best"]["title"] == "高新技术企业认定奖励"  # the library's card stands


def test_unreachable_endpoint_falls_back(library, settings):
    settings.TONGBAN_LLM_URL = "http://127.0.0.1:9/v1"
    settings.TONGBAN_LLM_TIMEOUT = "2"
    card = answer.build_card("稳岗返还怎么申请？")
    assert card["found"] and card["model"] is None
