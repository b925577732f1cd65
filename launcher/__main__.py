"""`python -m launcher run|train`: the one command that runs the whole product."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
import urllib.request
from types import FrameType

from launcher import prod
from launcher.models import ModelSettings, prepare_speech_model
from launcher.process import StackError, make_private_tree
from launcher.prod_settings import PROD_SECRETS, ProdSettings, prod_urls
from launcher.services import all_services
from launcher.settings import ROOT, StackSettings, startup_verdict
from launcher.supervisor import RestartPolicy, Supervisor
from launcher.training import train_if_needed
from launcher.warmup import warm_up


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def voice_status(s: StackSettings) -> str:
    """What the voice gateway's health check says about speech recognition."""
    try:
        with urllib.request.urlopen(f"{s.url(s.voice_port)}/health", timeout=5) as response:
            health = json.loads(response.read())
    except (OSError, ValueError):
        return "unknown"
    engine = {"vosk": "Vosk", "whisper": "Whisper"}.get(health.get("asr", ""))
    if engine and health.get("asr_status", "ok") == "ok":
        return f"{engine} speech recognition ready"
    if engine:
        return f"{engine} speech recognition DEGRADED ({health.get('asr_detail')})"
    reason = health.get("asr_detail") or health.get("asr")
    return f"NO speech recognition ({reason}): callers hear an apology and are transferred"


def print_urls(s: StackSettings) -> None:
    """The addresses a person needs, once everything is healthy."""
    rasa, case, voice = s.url(s.rasa_port), s.url(s.case_port), s.url(s.voice_port)
    public = s.public_url.rstrip("/") or voice
    print(
        "\n解纷助手 is running:\n"
        f"  chat page (citizens)     {s.url(s.web_port)}/  (API: POST /api/session, then /api/chat)\n"
        f"  Rasa REST channel        POST {rasa}/webhooks/rest/webhook  (loopback only; Authorization:\n"
        "                           Bearer <RASA_CHANNEL_TOKEN> or an integrator's RASA_INTEGRATOR_TOKENS)\n"
        f"  Rasa HTTP API            {rasa}/status?token=<RASA_AUTH_TOKEN>  (loopback only)\n"
        f"  case service API         {case}/api/cases  (Authorization: Bearer <CENTER_API_TOKEN>)\n"
        f"  case service OpenAPI     {case}/api/openapi.json\n"
        f"  action server            {s.url(s.action_port)}/health\n"
        f"  Twilio voice webhook     POST {public}/twilio/voice  (set PUBLIC_URL to your https tunnel)\n"
        f"  kiosk / push-to-talk     {s.voice_stream_url}  (chat-page ticket or ROBOT_DEVICE_TOKENS)\n"
        f"  voice gateway            {voice}/health — {voice_status(s)}\n"
        f"  logs and data            {s.var_dir}\n"
        "Press Ctrl-C to stop everything.\n",
        flush=True,
    )


def run(s: StackSettings, profile: str = "dev") -> int:
    """Set up, start, warm up, then restart what dies until Ctrl-C or a crash loop; always stop
    everything. ``profile`` prod: the production profile (``launcher.prod``)."""
    # Both signals stop everything, even when started in the background (where SIGINT is ignored).
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGINT, _raise_interrupt)
    prod_settings = ProdSettings.from_env(s) if profile == "prod" else None
    s = prod_settings.stack if prod_settings else s  # its own health timeout
    refusal, warning = startup_verdict(s, os.environ, PROD_SECRETS if prod_settings else ())
    if prod_settings and not refusal and (missing := prod.missing_packages()):
        refusal = prod.packages_line(missing)
    if refusal:
        print(f"[stack] ERROR {refusal}", file=sys.stderr, flush=True)
        return 1
    if warning:
        print(f"[stack] {warning}", flush=True)
    supervisor = Supervisor(log_dir=s.var_dir / "log", cwd=ROOT)
    started = time.monotonic()
    try:
        make_private_tree(s.var_dir)  # personal data: owner only (files 0600, folders 0700)
        if prod_settings:
            prod.check_ports(prod_settings)
        else:
            Supervisor.check_ports(all_services(s), s.host)
        # Blocking download and unpacking, before any service starts.
        say = lambda line: print(f"[models] {line}", flush=True)  # noqa: E731
        speech = prepare_speech_model(ModelSettings.from_env(os.environ), s.var_dir / "models", say=say)
        print(f"[models] {speech.message}", flush=True)
        train_if_needed(s.model_dir)
        if prod_settings:
            prod.start(supervisor, prod_settings, speech.env, timeout_s=s.health_timeout_s)
        else:
            supervisor.start(all_services(s, speech.env), host=s.host, timeout_s=s.health_timeout_s)
        if s.warm_up:
            seconds, replies = warm_up(s.url(s.rasa_port), s.rasa_channel_token)
            first = replies[0].get("text", "")[:30] if replies else "(no reply)"
            print(f"[stack] warm-up reply in {seconds:.1f} s: {first}…")
        print(f"[stack] ready {time.monotonic() - started:.0f} s after start")
        print_urls(s)
        if prod_settings:
            print(prod_urls(prod_settings), flush=True)
        policy = RestartPolicy(limit=s.restart_limit, window_s=s.restart_window_s)
        while True:  # a service that dies is restarted; a crash loop raises StackError
            supervisor.restart_dead(policy, timeout_s=s.health_timeout_s)
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\n[stack] stopping …", flush=True)
        return 0
    except (StackError, RuntimeError) as exc:
        print(f"[stack] ERROR {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        supervisor.stop_all()


def main() -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m launcher")
    parser.add_argument("command", choices=["run", "train"])
    parser.add_argument("--force", action="store_true", help="train even if nothing changed")
    parser.add_argument("--profile", choices=["dev", "prod"], default="dev",
                        help="dev: `make run` (one process each, SQLite); prod: `make run-prod`")
    args = parser.parse_args()
    settings = StackSettings.from_env()
    if args.command == "train":
        try:
            train_if_needed(settings.model_dir, force=args.force)
        except StackError as exc:
            print(f"[train] ERROR {exc}", file=sys.stderr)
            return 1
        return 0
    return run(settings, args.profile)


if __name__ == "__main__":
    sys.exit(main())
