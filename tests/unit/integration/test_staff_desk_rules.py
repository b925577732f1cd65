"""The staff desk's rules without a database: roles, evidence checks, party gender and age,
date ranges, choosing a mediator by name."""

from __future__ import annotations

from datetime import date

import pytest

from integration.service.adapters import orm
from integration.service.domain.errors import UploadRefused, ValidationFailed
from integration.service.domain.roles import BOT, PERMISSIONS, Principal, Role, service_principal
from integration.service.services.evidence import Upload, check, display_name, sniff
from integration.service.services.mediators import _name_matches
from integration.service.services.stats import gender_and_age

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"1 0 obj <<>> endobj\n"


def test_each_role_may_do_what_its_work_needs() -> None:
    clerk = Principal("staff:lin", "session", Role.CLERK)
    mediator = Principal("staff:wang", "session", Role.MEDIATOR, institution="family_mediation")
    admin = Principal("staff:root", "session", Role.ADMIN)
    assert clerk.may("queue") and clerk.may("cases.create") and not clerk.may("stats")
    assert mediator.may("cases.write") and not mediator.may("queue") and not mediator.may("cases.reroute")
    assert admin.may("accounts") and admin.may("export") and not admin.may("export.personal")
    assert not admin.may("cases.read")  # an administrator keeps accounts, not case files
    assert mediator.sees_institution("family_mediation") and not mediator.sees_institution("labour")
    assert not mediator.sees_institution(None)  # an unrouted case is not theirs
    assert clerk.sees_institution("labour")
    assert service_principal("crm").may("queue") and not service_principal("crm").may("accounts")
    assert not BOT.is_staff and not any(BOT.may(p) for p in PERMISSIONS)


def test_evidence_is_what_its_bytes_are() -> None:
    assert [sniff(x) for x in (JPEG, PNG, WEBP, PDF, b"GIF89a")] == [
        "image/jpeg",
        "image/png",
        "image/webp",
        "application/pdf",
        None,
    ]
    assert check(Upload("c", "a.jpg", "image/jpeg", JPEG), 1000) == "image/jpeg"
    assert check(Upload("c", "a.pdf", "application/pdf; charset=binary", PDF), 1000) == "application/pdf"
    refused = {
        "empty_file": Upload("c", "a.jpg", "image/jpeg", b""),
        "file_too_large": Upload("c", "a.jpg", "image/jpeg", JPEG * 100),
        "type_mismatch": Upload("c", "a.png", "image/png", JPEG),
        "unsupported_type": Upload("c", "a.txt", "text/plain", b"hello world"),
        "dangerous_file": Upload("c", "a.jpg", "image/jpeg", b"\x7fELF" + b"\x00" * 20),
    }
    for code, upload in refused.items():
        with pytest.raises(UploadRefused) as caught:
            check(upload, 1000)
        assert caught.value.code == code and caught.value.message
    for active in (b"/JavaScript", b"/Launch", b"/EmbeddedFile"):
        with pytest.raises(UploadRefused):
            check(Upload("c", "a.pdf", "application/pdf", PDF + active + b" 1 0 R"), 10_000)
    with pytest.raises(UploadRefused):
        check(Upload("c", "a.png", "image/png", PNG + b"<?php system($_GET['c']); ?>"), 10_000)


def test_a_file_name_is_kept_for_display_only() -> None:
    assert display_name("C:\\Users\\张三\\借条.jpg", "image/jpeg") == "借条.jpg"
    assert display_name("../../etc/passwd", "image/png") == "passwd"
    assert display_name("<script>.jpg", "image/jpeg") == "script_.jpg"
    assert display_name("", "application/pdf") == "材料.pdf"


def test_gender_and_age_band_from_the_resident_id() -> None:
    assert gender_and_age("110105199003071511", date(2026, 3, 2)) == ("男", "30-39岁")
    assert gender_and_age("11010519491231002X", date(2026, 3, 2)) == ("女", "60岁及以上")
    assert gender_and_age("110105200803021521", date(2026, 3, 1)) == ("女", "18岁以下")  # birthday tomorrow
    assert gender_and_age("110105200803021521", date(2026, 3, 2)) == ("女", "18-29岁")
    assert gender_and_age(None, date(2026, 3, 2)) is None
    assert gender_and_age("11010519901307151X", date(2026, 3, 2)) is None  # month 13


def test_a_citizen_asks_for_a_mediator_by_name_or_title() -> None:
    chen = orm.Mediator(code="m1", name="陈明", title="律师")
    wang = orm.Mediator(code="m2", name="王调解", title="人民调解员")
    assert _name_matches("陈律师", chen) and not _name_matches("王律师", chen)
    assert _name_matches("王", wang) and _name_matches("调解员", wang) and _name_matches("王调解员", wang)
    assert not _name_matches("李", wang)
    assert _name_matches("陈老师", chen) and _name_matches("王主任", wang)  # honorifics: the surname decides
    assert not _name_matches("陈调解员", chen) and not _name_matches("李老师", wang)


def test_a_date_range_is_bounded() -> None:
    from datetime import UTC, datetime, timedelta

    from integration.service.services.context import ServiceContext
    from integration.service.services.routing import RoutingTable
    from integration.service.services.stats import date_range

    ctx = ServiceContext(
        uow=lambda: None,
        router=RoutingTable(rules=(), default="x"),  # type: ignore[arg-type,return-value]
        clock=lambda: datetime(2026, 3, 2, 2, tzinfo=UTC),
    )
    assert date_range(ctx, None, None) == (date(2026, 3, 2) - timedelta(days=29), date(2026, 3, 2))
    for bad in (
        ("2026-03-05", "2026-03-01"),
        ("1999-01-01", "1999-01-02"),
        ("2024-01-01", "2026-01-01"),
        ("yesterday", None),
    ):
        with pytest.raises(ValidationFailed):
            date_range(ctx, *bad)


def test_passwords_are_hashed_with_argon2id_at_the_librarys_current_cost() -> None:
    from argon2 import PasswordHasher

    from integration.service.services import accounts

    stored = accounts.hash_password("a-long-staff-password")
    assert stored.startswith("$argon2id$") and accounts.check_password("a-long-staff-password", stored)
    assert not accounts.check_password("another-password", stored)
    assert not accounts.check_password("x", "not a hash")
    default = PasswordHasher()
    assert (accounts._hasher.time_cost, accounts._hasher.memory_cost) == (
        default.time_cost,
        default.memory_cost,
    )
