"""Evidence a citizen attaches in the web chat (a photo of an IOU, an accident report): checked
by content, stored 0600 in EVIDENCE_DIR (0700, outside any web root) under a random name, kept
with the conversation and linked to its case once there is one; staff read it in the console.

What is accepted is decided by the bytes, never by the name or the declared type: JPEG, PNG,
WebP and PDF, and the declared type must agree with the content. Files that look like programs
or pages (executables, scripts, HTML, archives), images carrying script text, and PDFs with
JavaScript, launch actions or embedded files are refused, as a virus scanner's first pass would.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from integration.service.adapters import orm
from integration.service.adapters.unit_of_work import UnitOfWork
from integration.service.domain.errors import EvidenceNotFound, Forbidden, UploadRefused
from integration.service.domain.roles import Principal
from integration.service.services.accounts import record
from integration.service.services.context import ServiceContext
from integration.service.services.desk import evidence_json

log = logging.getLogger(__name__)
TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf"}
TYPE_NAMES = "JPG、PNG、WebP 图片或 PDF 文件"
_DANGEROUS_STARTS = (
    b"MZ",
    b"\x7fELF",
    b"#!",
    b"PK\x03\x04",
    b"\xca\xfe\xba\xbe",
    b"\xcf\xfa\xed\xfe",
    b"Rar!",
    b"7z\xbc\xaf",
)
_SCRIPT_IN_IMAGE = re.compile(rb"<\s*(script|html|iframe|svg)\b|<\?php|javascript:", re.I)
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|OpenAction\s*<<\s*/S\s*/JavaScript)\b")
_SAFE_NAME = re.compile(r"[^\w.\-（）()一-鿿 ]+")


@dataclass(frozen=True)
class Upload:
    conversation_id: str
    filename: str
    declared_type: str
    content: bytes


def sniff(content: bytes) -> str | None:
    """The media type the bytes are, among those we accept; None for anything else."""
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def check(upload: Upload, max_bytes: int) -> str:
    """The verified media type, or UploadRefused with the Chinese reason."""
    size = len(upload.content)
    if size == 0:
        raise UploadRefused("empty_file", "文件是空的，请重新选择。")
    if size > max_bytes:
        raise UploadRefused(
            "file_too_large", f"文件太大了（最大 {max_bytes // (1024 * 1024)} MB），请压缩后再上传。"
        )
    head = upload.content[:64].lstrip()
    if any(head.startswith(sig) for sig in _DANGEROUS_STARTS) or head[:5].lower() in (
        b"<html",
        b"<!doc",
        b"<scri",
        b"<svg ",
    ):
        raise UploadRefused("dangerous_file", "文件内容不安全（疑似程序或网页），已拒收。")
    actual = sniff(upload.content)
    if actual is None:
        raise UploadRefused("unsupported_type", f"只能上传{TYPE_NAMES}。")
    declared = upload.declared_type.split(";")[0].strip().lower()
    if declared not in TYPES or declared != actual:
        raise UploadRefused("type_mismatch", f"文件类型与内容不符，只能上传真实的{TYPE_NAMES}。")
    if actual == "application/pdf" and _PDF_ACTIVE.search(upload.content):
        raise UploadRefused("dangerous_file", "PDF 中含有脚本或附件，已拒收；请打印后拍照上传。")
    if actual != "application/pdf" and _SCRIPT_IN_IMAGE.search(upload.content):
        raise UploadRefused("dangerous_file", "图片中夹带了可疑内容，已拒收；请重新拍照上传。")
    return actual


def display_name(filename: str, media_type: str) -> str:
    """The original name for display only, stripped of paths and odd characters."""
    base = os.path.basename(filename.replace("\\", "/")).strip()
    clean = _SAFE_NAME.sub("_", base)[:120].strip("._ ")
    return clean or f"材料.{TYPES[media_type]}"


def private_dir(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)
    return folder


def store(
    ctx: ServiceContext,
    uow: UnitOfWork,
    upload: Upload,
    folder: Path,
    max_bytes: int,
    per_conversation: int,
    actor: str,
) -> dict[str, Any]:
    media_type = check(upload, max_bytes)
    count = (
        uow.session.scalar(
            select(func.count(orm.Evidence.id)).where(orm.Evidence.conversation_id == upload.conversation_id)
        )
        or 0
    )
    if count >= per_conversation:
        raise UploadRefused("too_many_files", f"每次咨询最多上传{per_conversation}个文件。")
    stored = f"{secrets.token_hex(16)}.{TYPES[media_type]}"
    case = uow.session.scalars(
        select(orm.Case)
        .where(orm.Case.conversation_id == upload.conversation_id)
        .order_by(orm.Case.id.desc())
    ).first()
    row = orm.Evidence(
        ref=f"EV-{secrets.token_hex(6).upper()}",
        conversation_id=upload.conversation_id,
        case_id=case.id if case else None,
        filename=display_name(upload.filename, media_type),
        media_type=media_type,
        size=len(upload.content),
        sha256=hashlib.sha256(upload.content).hexdigest(),
        stored_name=stored,
        uploaded_at=ctx.clock(),
        uploaded_by=actor,
    )
    uow.repo.add(row)
    uow.session.flush()  # the row first: a failed write then rolls it back with the transaction
    fd = os.open(private_dir(folder) / stored, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(upload.content)
    log.info(
        "evidence %s stored (%s, %d bytes, case linked=%s)", row.ref, media_type, row.size, case is not None
    )
    return evidence_json(row, ctx)


def refused(ctx: ServiceContext, actor: str, conversation_id: str, reason: str) -> None:
    """A refused upload in the staff audit log (nothing was stored)."""
    with ctx.uow() as uow:
        record(
            uow,
            ctx.clock(),
            actor,
            "upload_refused",
            "refused",
            None,
            reason=reason,
            conversation=conversation_id[:12],
        )
        uow.commit()


def _visible(uow: UnitOfWork, row: orm.Evidence, who: Principal) -> None:
    """A linked file follows its case's scope; an unlinked one is the queue's (clerks, supervisors)."""
    case = uow.session.get(orm.Case, row.case_id) if row.case_id else None
    if case is not None:
        if not (
            who.may("cases.read")
            and who.sees_institution(case.institution.code if case.institution else None)
        ):
            raise Forbidden("该材料所属案件不在您的办理范围内")
    elif not who.may("queue"):
        raise Forbidden("您的账号无权查看该材料")


def get(ctx: ServiceContext, ref: str, who: Principal, folder: Path) -> tuple[dict[str, Any], bytes]:
    with ctx.uow() as uow:
        row = uow.session.scalars(select(orm.Evidence).where(orm.Evidence.ref == ref)).first()
        if row is None:
            raise EvidenceNotFound()
        _visible(uow, row, who)
        path = folder / row.stored_name
        if not path.is_file():
            raise EvidenceNotFound("材料文件已丢失，请联系管理员")
        record(uow, ctx.clock(), who.actor, "evidence_viewed", "ok", None, ref=ref)
        uow.commit()
        return evidence_json(row, ctx), path.read_bytes()


def waiting_handoff(uow: UnitOfWork, conversation_id: str) -> dict[str, object] | None:
    """The conversation's open or claimed hand-off (id, status, holder, tags), if any."""
    row = uow.session.scalars(
        select(orm.Handoff)
        .where(orm.Handoff.conversation_id == conversation_id, orm.Handoff.status.in_(("open", "claimed")))
        .order_by(orm.Handoff.id.desc())
    ).first()
    if row is None:
        return None
    return {"id": row.id, "status": row.status, "claimed_by": row.claimed_by, "tags": list(row.tags or [])}


def of_conversation(ctx: ServiceContext, conversation_id: str) -> list[dict[str, Any]]:
    with ctx.uow() as uow:
        rows = uow.session.scalars(
            select(orm.Evidence)
            .where(orm.Evidence.conversation_id == conversation_id)
            .order_by(orm.Evidence.id)
        ).all()
        return [evidence_json(r, ctx) for r in rows]
