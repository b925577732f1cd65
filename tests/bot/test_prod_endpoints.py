"""The production profile's Rasa endpoints, read by Rasa 3.6 itself (no server is contacted):
the SQL tracker store on PostgreSQL, the Redis lock store and nginx as the action endpoint."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from rasa.core.lock_store import LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.core.utils import AvailableEndpoints

from launcher.prod_config import render_endpoints_prod
from launcher.prod_settings import ProdSettings
from launcher.settings import StackSettings


def test_rasa_reads_the_generated_endpoints(tmp_path: Path) -> None:
    stack = replace(StackSettings.from_env(), action_port=5055, action_server_token="action-token-0123456789")
    p = replace(ProdSettings.from_env(stack, {}), pg_port=5433, redis_port=6380,
                pg_password="p'w: #1", redis_password="redis-secret-0123")
    path = tmp_path / "endpoints.yml"
    path.write_text(render_endpoints_prod(p), encoding="utf-8")
    endpoints = AvailableEndpoints.read_endpoints(str(path))

    assert endpoints.action is not None and endpoints.action.url == "http://127.0.0.1:5055/webhook"
    assert endpoints.action.headers == {"Authorization": "Bearer action-token-0123456789"}
    tracker = endpoints.tracker_store
    assert tracker is not None and tracker.type == "SQL"
    assert tracker.kwargs == {"dialect": "postgresql", "port": 5433, "db": "rasa", "username": "jiefen",
                              "password": "p'w: #1"}
    url = SQLTrackerStore.get_db_url(host=tracker.url, **tracker.kwargs)
    assert (url.drivername, url.host, url.port, url.database) == ("postgresql", "127.0.0.1", 5433, "rasa")

    lock_store = LockStore.create(endpoints.lock_store)  # the client connects lazily
    assert isinstance(lock_store, RedisLockStore)
    assert lock_store.red.connection_pool.connection_kwargs["port"] == 6380
    assert lock_store.red.connection_pool.connection_kwargs["password"] == "redis-secret-0123"
    assert lock_store.key_prefix.startswith("jiefen:")
