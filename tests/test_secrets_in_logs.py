"""Secrets never reach logs or error lines: the LLM key through every fault, the database password."""

from __future__ import annotations

import logging

import pytest

from liumai.storage.db import SchemaError, check_schema, make_engine
from liumai.tagging.llm import LLMTagger, forget_modes
from liumai.tagging.offline import OfflineTagger
from tests.fakes.openai_server import FakeOpenAIServer

API_KEY = "sk-live-SECRET-3f9a7c1e5b"
DB_PASSWORD = "pw-SECRET-71c2d9"


@pytest.fixture(autouse=True)
def _fresh():
    forget_modes()
    yield
    forget_modes()


def test_llm_key_never_logged_through_faults(rubric, caplog):
    caplog.set_level(logging.DEBUG)  # everything: openai's, httpx's, tenacity's and ours
    with FakeOpenAIServer() as fake:
        tagger = LLMTagger(
            rubric,
            model="m",
            base_url=fake.base_url,
            api_key=API_KEY,
            fallback=OfflineTagger(rubric),
            deadline_s=5,
            sleep=lambda _s: None,
        )
        fake.rate_limit(0.01).status(500).answer("not json at all").answer("still not json")
        tagger.suggest("Ann shared her runbook with the whole team.")
        fake.status(401, "Incorrect API key provided: " + API_KEY[:8] + "...")
        tagger.suggest("Bob helped a customer on a Sunday.")
        auth = [{k.lower(): v for k, v in r.headers.items()}.get("authorization") for r in fake.requests]
        assert auth and set(auth) == {f"Bearer {API_KEY}"}  # the key was really in play
    text = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert caplog.records, "the faults should have been logged"
    assert API_KEY not in text


def test_database_password_never_in_errors_or_logs(caplog):
    caplog.set_level(logging.DEBUG)
    eng = make_engine(f"postgresql+psycopg://liumai:{DB_PASSWORD}@127.0.0.1:1/nowhere?connect_timeout=2")
    with pytest.raises(SchemaError) as exc:
        check_schema(eng)
    assert DB_PASSWORD not in str(exc.value)
    assert DB_PASSWORD not in caplog.text
