"""``python -m integration.service.manage``: administration from the server's shell.

``create-admin <username>`` creates the first administrator (or another one): the password is
typed twice at a prompt, or read from standard input with ``--password-stdin`` (for scripts), and
never has a default. Later accounts are created by an administrator in the console;
``create-account <username> --role clerk|mediator|supervisor [--institution code]`` does the same
from the shell (provisioning scripts, the end-to-end tests).

``purge`` runs the retention job once (``services/retention.py``: personal data of cases closed
more than ``RETENTION_DAYS`` ago, old conversations, hand-off packets, text messages, idempotency
records, Rasa's tracker store, call records and outbox files) and prints the counts; from cron
where the server's own periodic run is off (``RETENTION_INTERVAL_H=0``).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from integration.service.adapters.db import make_engine, migrate
from integration.service.adapters.unit_of_work import uow_factory
from integration.service.domain.errors import DomainError
from integration.service.services import accounts, retention
from integration.service.services.context import ServiceContext
from integration.service.services.routing import load_routing
from integration.service.settings import Settings


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("新密码（至少12个字符）: ")
    if getpass.getpass("再次输入新密码: ") != first:
        raise SystemExit("两次输入的密码不一致，账号没有创建。")
    return first


def create_admin(settings: Settings, username: str, display_name: str, password: str) -> str:
    return create(settings, username, display_name, password, "admin", None)


def create(
    settings: Settings, username: str, display_name: str, password: str, role: str, institution: str | None
) -> str:
    engine = make_engine(settings.db_url)
    try:
        migrate(engine)
        ctx = ServiceContext(
            uow=uow_factory(engine), router=load_routing(settings.routing_file), tz=settings.timezone
        )
        with ctx.uow() as uow:
            made = accounts.create_account(
                ctx,
                uow,
                username=username,
                display_name=display_name,
                role=role,
                password=password,
                institution=institution,
                actor="system:manage",
            )
            uow.commit()
        return str(made["username"])
    finally:
        engine.dispose()


def purge(settings: Settings) -> retention.PurgeReport:
    engine = make_engine(settings.db_url)
    try:
        migrate(engine)
        ctx = ServiceContext(
            uow=uow_factory(engine), router=load_routing(settings.routing_file), tz=settings.timezone
        )
        return retention.purge(ctx, settings.retention, settings.evidence_dir)
    finally:
        engine.dispose()


def _print_purge(settings: Settings) -> int:
    days = settings.retention.days
    if days <= 0:
        print("RETENTION_DAYS=0：保留期限清理未启用，没有删除任何数据。")
        return 0
    report = purge(settings)
    names = {
        "cases": "已结案件的个人信息", "conversations": "会话记录", "handoffs": "转人工记录",
        "notifications": "短信", "appointments": "预约的联系人信息", "evidence": "证据文件",
        "idempotency": "请求编号记录", "tracker_conversations": "对话追踪记录",
        "voice_files": "通话记录文件", "outbox_files": "发件箱文件",
    }
    counts = "，".join(f"{names[k]} {v}" for k, v in report.counts().items() if v) or "没有到期的数据"
    print(f"已按保留期限（{days}天）清理：{counts}。")
    for store in report.unreadable:
        print(f"未能清理：{store}（下次再试）", file=sys.stderr)
    return 1 if report.unreadable else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m integration.service.manage")
    sub = parser.add_subparsers(dest="command", required=True)
    admin = sub.add_parser("create-admin", help="create an administrator account")
    admin.add_argument("username")
    admin.add_argument("--display-name", default="")
    admin.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input",
    )
    account = sub.add_parser("create-account", help="create a staff account of another role")
    account.add_argument("username")
    account.add_argument("--role", required=True, choices=["clerk", "mediator", "supervisor", "admin"])
    account.add_argument("--institution", default=None, help="a mediator's institution code")
    account.add_argument("--display-name", default="")
    account.add_argument("--password-stdin", action="store_true")
    sub.add_parser("purge", help="run the retention job once (RETENTION_DAYS)")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if args.command == "purge":
        return _print_purge(settings)
    role = "admin" if args.command == "create-admin" else args.role
    try:
        name = create(
            settings,
            args.username,
            args.display_name,
            _password(args.password_stdin),
            role,
            getattr(args, "institution", None),
        )
    except DomainError as exc:
        print(f"账号没有创建：{exc.message}", file=sys.stderr)
        return 1
    print(f"已创建{'管理员' if role == 'admin' else ''}账号 {name}。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
